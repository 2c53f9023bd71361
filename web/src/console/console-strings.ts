// The console shell's own strings (login, header, tabs) in French and English.
import { translator } from './translate.ts';

const fr = {
  consoleTitle: 'Espace agents',
  pageTitle: 'Espace agents — WebSIG',
  backToMap: 'Retour à la carte publique',
  languageGroup: 'Langue',
  loginHeading: 'Connexion des agents',
  email: 'Adresse e-mail',
  password: 'Mot de passe',
  login: 'Se connecter',
  loggingIn: 'Connexion…',
  logout: 'Se déconnecter',
  loggedInAs: 'Connecté : {email} ({role})',
  loggedIn: 'Vous êtes connecté.',
  loggedOut: 'Vous êtes déconnecté.',
  roleStaff: 'agent',
  roleAdmin: 'administrateur',
  tabsLabel: 'Outils de l’espace agents',
  noPanel: 'Aucun outil n’est ouvert à votre rôle.',
  serverUnreachable: 'Le serveur ne répond pas. Réessayez.',
  fieldRequired: 'Ce champ est requis.',
};

const en: Record<keyof typeof fr, string> = {
  consoleTitle: 'Staff area',
  pageTitle: 'Staff area — WebSIG',
  backToMap: 'Back to the public map',
  languageGroup: 'Language',
  loginHeading: 'Staff log-in',
  email: 'E-mail address',
  password: 'Password',
  login: 'Log in',
  loggingIn: 'Logging in…',
  logout: 'Log out',
  loggedInAs: 'Logged in: {email} ({role})',
  loggedIn: 'You are logged in.',
  loggedOut: 'You are logged out.',
  roleStaff: 'staff',
  roleAdmin: 'administrator',
  tabsLabel: 'Staff tools',
  noPanel: 'No tool is open to your role.',
  serverUnreachable: 'The server does not answer. Try again.',
  fieldRequired: 'This field is required.',
};

export type ConsoleKey = keyof typeof fr;
export const ct = translator<ConsoleKey>({ fr, en });
