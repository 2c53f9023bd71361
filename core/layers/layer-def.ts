// The shape of a layer description: the one place that says what a layer holds and how it is shown.

export type Lang = 'fr' | 'en';
export type Label = Readonly<Record<Lang, string>>;

/** Column types a layer property may have; what each means is declared once, in `PROPERTY_TYPES` (property-types.ts). */
export type PropertyType = 'text' | 'integer' | 'number' | 'date' | 'datetime' | 'boolean' | 'text[]';

/** Stages of fibre deployment, least advanced first: eligibility ranks status values in this order. */
export const FIBRE_STAGES = [
  'not_planned', 'study', 'planned', 'target', 'signed', 'in_progress', 'deployed', 'connectable',
] as const;
export type FibreStage = (typeof FIBRE_STAGES)[number];

/** What a code value means to the platform's own SQL (eligibility, THD label), which reads values by
 *  role and never names a stored one: a fibre stage, or `in_service` for a wifi hotspot people can use.
 *  Which lists carry roles, and which roles they need, is in code-roles.ts. */
export type CodeRole = FibreStage | 'in_service';

export interface CodeValue {
  /** The stored value, e.g. `deployed`. */
  readonly value: string;
  readonly label: Label;
  /** Legend colour for this value when the layer is coloured by this property. */
  readonly color?: string;
  /** What the platform's SQL reads this value as, on the lists code-roles.ts names. */
  readonly role?: CodeRole;
}

export interface PropertyDef {
  readonly name: string;
  readonly type: PropertyType;
  readonly label: Label;
  /** Public properties reach tiles, OGC API, exports; private ones never leave staff APIs. */
  readonly public: boolean;
  /** Closed code list: the database enforces it with a CHECK constraint. */
  readonly values?: readonly CodeValue[];
  /** Offered as an equality filter (OGC API queryables). */
  readonly queryable?: boolean;
  /** NOT NULL in the table. */
  readonly required?: boolean;
  /** Filled by the database (trigger or default), never by an import or an edit. */
  readonly computed?: boolean;
  /** The feature of another layer this integer id names (a lot's business zone): readers are shown
   *  that feature's `label` property instead of a bare number. */
  readonly references?: { readonly layer: string; readonly label: string };
  /** Bookkeeping that means nothing to a reader (an edit counter): published as data, left out of the
   *  map's description of a feature. */
  readonly internal?: boolean;
  /** How readers are shown the text: `siret` groups the 14 digits as written in France (344 506 652 27622). */
  readonly format?: 'siret';
  /** Inclusive bounds of an integer property (a year), also held by a CHECK constraint: an edit
   *  outside them is refused with a 422 naming the field, and forms bound their input. */
  readonly range?: { readonly min: number; readonly max: number };
}

export type GeometryType = 'Point' | 'MultiPolygon';

export interface LayerStyle {
  /** Property whose code list colours the features; its `values[].color` make the legend. */
  readonly colorBy?: string;
  /** Colour when there is no `colorBy` or the value has no colour. */
  readonly color: string;
  /** Drawing order on the map, lowest first. */
  readonly order: number;
  /** Shown when the map opens. */
  readonly visible: boolean;
  /** The text property that names a feature in lists (the map described in words). */
  readonly label?: string;
}

/** How deliveries are imported into a layer (data-import/). */
export interface LayerImport {
  /** Natural key (a unique column: a property, or `id` for text ids) matched for upsert and for
   *  the diff against the live layer; without one a layer is only replaced or appended to. */
  readonly key?: string;
}

export interface LayerDef {
  /** Table name, tile layer name and OGC collection id. */
  readonly id: string;
  readonly title: Label;
  readonly description: Label;
  readonly geometryType: GeometryType;
  /** Storage SRID of `geom`; `geom_3857` is derived from it for tiles. */
  readonly srid: 4326;
  /** Primary key: integer for our own layers, the national text id for addresses and parcels. */
  readonly idType: 'integer' | 'text';
  /** Integer column used as MVT feature id and OGC integer id: `id`, or the `fid` surrogate for text ids. */
  readonly featureIdColumn: 'id' | 'fid';
  readonly properties: readonly PropertyDef[];
  /** Zoom range in which tiles carry this layer (dense layers start late to keep tiles light). */
  readonly minzoom: number;
  readonly maxzoom: number;
  readonly style: LayerStyle;
  /** Property holding the feature's date for OGC `datetime` filters and temporal extents. */
  readonly temporalProperty?: string;
  /** Open-data publication: false keeps the whole layer out of public APIs. */
  readonly public: boolean;
  /** Column that must be true for a row to be public (e.g. incidents staff have published). */
  readonly publishedColumn?: string;
  /** Who produced the data and where it comes from, stated with the open data (OGC collections,
   *  downloads); the publisher (`OPEN_DATA_PUBLISHER`) is named when absent. */
  readonly source?: string;
  /** Import settings; a layer without them is not offered to the import pipeline. */
  readonly import?: LayerImport;
}

export const GEOMETRY_COLUMN = 'geom';
export const TILE_GEOMETRY_COLUMN = 'geom_3857';
