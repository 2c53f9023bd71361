// A value that breaks a domain rule, naming the field: the HTTP layer answers it as a 422, an import
// rejects the row with it.
export class RuleError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'RuleError';
  }
}
