// The layer whose imports take the lot path (lot-import.ts), named apart so that telling which path
// an import takes does not load that path, its lot rules and their NAF code list.
export const LOT_IMPORT_LAYER = 'zone_lots';
