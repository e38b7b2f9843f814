/**
 * A call's span name: `{operation} {model}`, the shape of the GenAI
 * conventions' `{gen_ai.operation.name} {gen_ai.request.model}`, or the
 * operation alone when no model is named (none is known, or the name is
 * empty), as those conventions name a span whose model is not available.
 */
export function callSpanName(operation: string, model: string | undefined): string {
  return model ? `${operation} ${model}` : operation;
}
