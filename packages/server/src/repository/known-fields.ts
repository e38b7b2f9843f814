/**
 * Refuses a config object with a field outside `fields`, as Triton refuses
 * an unknown field of config.pbtxt: a misspelt `maxBatchSize` silently
 * ignored would leave the model serving without the limit it was given.
 * `prefix` is the path of the object within the file (`embedding.`).
 */
export function checkKnownFields(value: object, fields: readonly string[], prefix = ''): void {
  const unknown = Object.keys(value).find((key) => !fields.includes(key));
  if (unknown !== undefined) {
    throw new Error(`unknown field "${prefix}${unknown}"; the fields are ${fields.join(', ')}`);
  }
}
