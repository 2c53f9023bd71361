// The demo territory's fixed settings: town centres, street names, zones, venues and French texts.
import type { XY } from './demo-geometry.ts';

export interface BourgSettings {
  /** The town centre (church square), longitude/latitude. */
  centre: XY;
  postcode: string;
  /** Street names; each becomes one street radiating from the centre, the first being the longest. */
  streets: string[];
  /** Cadastre sections for the bourg's parcels; bourgs without them get addresses only. */
  sections?: string[];
  /** Public wifi venues: name (the commune is appended) and kind. */
  wifi: [string, 'indoor' | 'outdoor'][];
}

// Postcodes are La Poste's: 35160 Montfort/Breteil/Talensac, 35137 Bédée/La Nouaye/Pleumeleuc,
// 35750 Iffendic/Saint-Gonlay.
export const BOURGS: Record<string, BourgSettings> = {
  '35188': {
    centre: [-1.9573, 48.1378],
    postcode: '35160',
    streets: ['Rue Saint-Nicolas', "Rue de l'Horloge", 'Boulevard Carnot', 'Rue de Coulon', 'Avenue du Général de Gaulle', 'Rue de la Harelle', 'Allée des Châtaigniers', "Rue du Pas-d'Âne"],
    sections: ['AB', 'AC', 'AD'],
    wifi: [['Mairie', 'indoor'], ['Médiathèque Lagirafe', 'indoor'], ['Salle des sports', 'indoor'], ['Place du Tribunal', 'outdoor'], ['Office de tourisme', 'indoor'], ['Parc de la Harelle', 'outdoor']],
  },
  '35023': {
    centre: [-1.9453, 48.179],
    postcode: '35137',
    streets: ['Rue de la Gare', 'Rue de Rennes', 'Rue Saint-Éloi', 'Rue de Montfort', 'Allée des Tilleuls', 'Rue du Stade', 'Impasse des Lavandières'],
    sections: ['AB', 'AC', 'AE'],
    wifi: [['Mairie', 'indoor'], ['Médiathèque', 'indoor'], ['Complexe sportif', 'indoor'], ["Place de l'Église", 'outdoor'], ['Espace jeunes', 'indoor']],
  },
  '35040': {
    centre: [-1.8985, 48.145],
    postcode: '35160',
    streets: ['Rue de la Mairie', 'Rue du Chêne Vert', 'Rue de Bel-Air', 'Allée des Écoliers', 'Rue des Forges', 'Rue de Talensac'],
    wifi: [['Mairie', 'indoor'], ['Bibliothèque', 'indoor'], ['Salle polyvalente', 'indoor'], ['Parc du Pré Vert', 'outdoor']],
  },
  '35133': {
    centre: [-2.037, 48.1305],
    postcode: '35750',
    streets: ['Rue de Trémelin', "Place de l'Église", 'Rue du Général Leclerc', 'Rue de la Chapelle', 'Rue des Genêts', 'Allée des Peupliers', 'Rue de Saint-Gonlay'],
    wifi: [['Mairie', 'indoor'], ['Médiathèque', 'indoor'], ['Salle des sports', 'indoor'], ["Place de l'Église", 'outdoor'], ['Aire de camping-cars', 'outdoor']],
  },
  '35203': {
    centre: [-1.9755, 48.166],
    postcode: '35137',
    streets: ["Rue de l'Église", 'Rue des Hortensias', 'Rue du Clos Gaël'],
    wifi: [['Mairie', 'indoor'], ['Salle communale', 'indoor']],
  },
  '35227': {
    centre: [-1.92, 48.184],
    postcode: '35137',
    streets: ['Rue de Bédée', 'Rue Nationale', 'Rue des Prés', 'Allée des Saules', 'Rue de la Vigne', 'Rue Anne de Bretagne'],
    wifi: [['Mairie', 'indoor'], ['Médiathèque', 'indoor'], ['Salle des sports', 'indoor'], ['Place de la Mairie', 'outdoor']],
  },
  '35277': {
    centre: [-2.072, 48.1165],
    postcode: '35750',
    streets: ['Rue Principale', 'Rue du Lavoir', 'Chemin des Vergers'],
    wifi: [['Mairie', 'indoor'], ['Salle communale', 'indoor']],
  },
  '35331': {
    centre: [-1.929, 48.109],
    postcode: '35160',
    streets: ['Rue de Montfort', "Place de l'Église", 'Rue de la Poste', 'Rue des Écoles', 'Allée des Chênes'],
    wifi: [['Mairie', 'indoor'], ['Bibliothèque', 'indoor'], ["Étang communal", 'outdoor']],
  },
};

export type FibreStatus = 'deployed' | 'in_progress' | 'planned' | 'study' | 'not_planned';

/**
 * Fibre zones per commune, as [status, phase]: the first entries are sectors of the main polygon
 * around the centre, then one per detached part (largest first). Phase 1 came first (2019-2022).
 */
export const FIBRE_PLAN: Record<string, [FibreStatus, number | null][]> = {
  '35188': [['deployed', 1], ['deployed', 1], ['deployed', 1]],
  '35023': [['deployed', 1], ['deployed', 1], ['in_progress', 2], ['planned', 3]],
  '35040': [['deployed', 1], ['in_progress', 2]],
  '35133': [['deployed', 1], ['in_progress', 2], ['in_progress', 2], ['planned', 3], ['study', null], ['not_planned', null]],
  '35203': [['deployed', 1]],
  '35227': [['in_progress', 1], ['in_progress', 2], ['planned', 3]],
  '35277': [['planned', 3], ['study', null]],
  '35331': [['deployed', 1], ['in_progress', 2], ['planned', 3]],
};

export type ZoneKind = 'mixed' | 'industrial' | 'craft' | 'commercial' | 'office';

export interface ZoneSettings {
  insee: string;
  name: string;
  kind: ZoneKind;
  hectares: number;
  road: string;
  description: string;
  /** Whether the zone's lots are also cadastre parcels in the demo. */
  parcels?: string;
}

export const ZONES: ZoneSettings[] = [
  {
    insee: '35023', name: 'ZA de la Nouette', kind: 'mixed', hectares: 21, road: 'Rue de la Nouette', parcels: 'ZK',
    description: "Zone d'activité mixte en entrée de bourg, desservie par la RD 72 : artisans, PME et services.",
  },
  {
    insee: '35188', name: "Parc d'activités du Bois de Montfort", kind: 'office', hectares: 13, road: 'Allée du Bois de Montfort', parcels: 'ZC',
    description: "Parc d'activités tertiaire proche de la gare, bureaux et services aux entreprises, fibré dès 2021.",
  },
  {
    insee: '35040', name: 'ZA de la Gaudinais', kind: 'industrial', hectares: 34, road: 'Rue de la Gaudinais',
    description: "Zone industrielle le long de la RN 12 : logistique, agroalimentaire et industrie légère.",
  },
  {
    insee: '35227', name: 'ZA du Pont Aven', kind: 'craft', hectares: 9, road: 'Impasse du Pont Aven',
    description: "Petite zone artisanale communautaire : bâtiment, mécanique et métiers d'art.",
  },
  {
    insee: '35133', name: 'ZA de la Porte de Trémelin', kind: 'commercial', hectares: 16, road: 'Avenue de la Porte de Trémelin',
    description: "Zone commerciale et de services sur la route du lac de Trémelin.",
  },
];

/** Fictitious occupants of lots: [name, activity, NAF rév. 2 code]. */
export const OCCUPANTS: [string, string, string][] = [
  ['Menuiserie Le Guen', 'Menuiserie', '43.32A'],
  ['Transports Hamon', 'Transport routier de marchandises', '49.41A'],
  ['Garage Rolland', 'Réparation automobile', '45.20A'],
  ['Métallerie Brient', 'Métallerie, serrurerie', '43.32B'],
  ['Boulangerie Pichon', 'Boulangerie industrielle', '10.71A'],
  ['Électricité Gautier', 'Installation électrique', '43.21A'],
  ['Plomberie Le Bihan', 'Plomberie, chauffage', '43.22A'],
  ['Imprimerie du Meu', 'Imprimerie', '18.12Z'],
  ['Bretagne Emballages', "Fabrication d'emballages", '17.21B'],
  ['Cabinet Lemoine', 'Expertise comptable', '69.20Z'],
  ['Paysages de Brocéliande', 'Entretien des espaces verts', '81.30Z'],
  ['Maçonnerie Lebreton', 'Maçonnerie générale', '43.99C'],
  ['Froid Service 35', 'Froid et climatisation', '43.22B'],
  ['Atelier Kervella', 'Ébénisterie', '31.09B'],
  ['Logiciels Ouest Conseil', 'Édition de logiciels', '58.29C'],
  ['Carrosserie Tanguy', 'Carrosserie', '45.20B'],
  ['Biscuiterie de Montfort', 'Biscuiterie', '10.72Z'],
  ['Jardinerie du Meu', 'Jardinerie', '47.76Z'],
  ['Couverture Morel', 'Couverture, zinguerie', '43.91B'],
  ['Laboratoire Armor Analyses', "Laboratoire d'analyses", '71.20B'],
  ['Ambulances du Pays de Montfort', 'Transport sanitaire', '86.90A'],
  ['Sellerie Jaouen', 'Sellerie', '15.12Z'],
  ['Cuisines Riou', 'Cuisiniste', '47.59A'],
  ['Location Matériel Ouest', 'Location de matériel', '77.32Z'],
];

/** Staff notes on some lots (private). */
export const LOT_NOTES = [
  'Acquéreur à relancer en janvier, dossier de financement en cours.',
  'Servitude de passage du réseau d’eaux pluviales en fond de lot.',
  'Étude de sol demandée avant toute promesse de vente.',
  'Lot réservé en attente de la délibération du conseil communautaire.',
  'Accès poids lourds à confirmer avec le service voirie.',
];

export type ServiceCode = 'lighting' | 'roads' | 'signage' | 'waste' | 'network' | 'green_space' | 'other';

/** Incident texts per category: [what the reporter wrote, the staff's answer]. */
export const INCIDENT_TEXTS: Record<ServiceCode, [string, string][]> = {
  lighting: [
    ["Lampadaire éteint depuis plusieurs soirs, la rue est plongée dans le noir.", 'Ampoule remplacée par le prestataire éclairage.'],
    ['Éclairage public allumé en pleine journée.', "Horloge astronomique de l'armoire reprogrammée."],
  ],
  roads: [
    ['Nid-de-poule profond au carrefour, dangereux pour les deux-roues.', "Reprise de l'enrobé programmée la semaine prochaine."],
    ['Bordure de trottoir descellée après le passage de camions.', 'Bordure remise en place par les services techniques.'],
    ['Affaissement de la chaussée devant une entrée de bâtiment.', 'Transmis au gestionnaire de voirie pour expertise.'],
  ],
  signage: [
    ['Panneau de direction tourné par le vent, il indique la mauvaise route.', 'Panneau redressé et refixé.'],
    ["Panneau d'information délavé, devenu illisible.", 'Nouveau panneau commandé.'],
  ],
  waste: [
    ['Dépôt sauvage de gravats le long de la haie.', 'Gravats enlevés, plainte déposée.'],
    ['Conteneur à cartons plein depuis une semaine.', 'Fréquence de collecte augmentée.'],
  ],
  network: [
    ['Armoire fibre ouverte et câbles apparents au bord du trottoir.', "Signalé à l'opérateur d'infrastructure, armoire refermée."],
    ['Poteau télécom penché après la tempête.', "Transmis à l'opérateur, intervention sous 15 jours."],
    ["Pas de débit internet depuis les travaux de voirie.", "Transmis à l'opérateur : câble sectionné réparé."],
  ],
  green_space: [
    ['Haie non taillée qui masque la visibilité en sortie de lot.', 'Taille réalisée.'],
    ['Arbre tombé sur le cheminement piéton.', 'Arbre évacué par les services techniques.'],
  ],
  other: [
    ['Véhicule ventouse stationné sur le parking depuis un mois.', 'Signalé à la gendarmerie.'],
    ["Tag sur l'abri-bus.", 'Nettoyage programmé.'],
  ],
};

/** Obviously fictitious reporters (reserved example domain, fiction-reserved phone numbers). */
export const REPORTERS: [string, string, string][] = [
  ['Camille Démo', 'camille.demo@example.org', '06 39 98 00 01'],
  ['Yann Exemple', 'yann.exemple@example.org', '06 39 98 00 02'],
  ['Maëlle Fictive', 'maelle.fictive@example.net', '06 39 98 00 03'],
  ['Erwan Test', 'erwan.test@example.com', '06 39 98 00 04'],
  ['Soizic Essai', 'soizic.essai@example.org', '06 39 98 00 05'],
  ['Loïc Modèle', 'loic.modele@example.net', '06 39 98 00 06'],
];
