// The official list of NAF rév. 2 sub-classes (INSEE, 732 codes such as `62.01Z`), as published in
// @socialgouv/codes-naf (which also lists sections, divisions, groups and classes: only the
// five-character sub-classes are activity codes an establishment carries).
import codes from '@socialgouv/codes-naf';

const SUB_CLASS = /^\d{2}\.\d{2}[A-Z]$/;

/** NAF sub-class → its French title. */
export const NAF_SUB_CLASSES: ReadonlyMap<string, string> = new Map(
  codes.filter((c) => SUB_CLASS.test(c.id)).map((c) => [c.id, c.label]),
);
