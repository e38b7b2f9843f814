import type { Datatype } from '@inferlens/protocol';

/**
 * onnxruntime's tensor type names by protocol datatype. BF16 tensors cannot
 * be built in onnxruntime's JavaScript API; models that take or give them
 * run through a float32 adapter (see `bfloat16-adapter.ts`).
 */
export const ORT_TYPE_BY_DATATYPE = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  BF16: 'bfloat16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
} as const satisfies Record<Datatype, string>;

const DATATYPE_BY_ORT_TYPE: ReadonlyMap<string, Datatype> = new Map(
  Object.entries(ORT_TYPE_BY_DATATYPE).map(([datatype, ortType]) => [ortType, datatype as Datatype]),
);

/** The protocol datatype of an onnxruntime tensor type, or undefined if it has none. */
export function datatypeOfOrtType(ortType: string): Datatype | undefined {
  return DATATYPE_BY_ORT_TYPE.get(ortType);
}
