"""Checks the server with KServe's Python SDK: the `kserve` package's InferenceRESTClient.

Usage: python kserve_check.py BASE_URL (e.g. http://127.0.0.1:8080)

Drives the demo models `iris` and `demo-embedding` with the SDK's REST client,
protocol v1 and v2: server liveness and readiness, model readiness, V1
predict, V2 infer with the SDK's own InferRequest and InferInput (JSON and
binary tensors both ways, and a plain dict) read back as numpy through its
InferResponse, and errors (an unknown model, a wrong shape, explain, which the
server runs no explainer for: 501) whose status and `{"error": ...}` message the SDK must
surface. Every prediction is compared with the server's answer to the same
request sent as plain HTTP. This version's REST client has no metadata call:
model metadata is read with plain HTTP and validated with the SDK's own V2
data model. Prints one JSON summary line on success; any failed check raises,
so the script exits non-zero with a message.
"""

import asyncio
import json
import sys
import urllib.error
import urllib.request
from importlib.metadata import version

import httpx
import numpy as np
from kserve import InferenceRESTClient, InferInput, InferRequest, InferResponse, RESTConfig
from kserve.protocol.rest.v2_datamodels import ModelMetadataResponse

IRIS = "iris"
EMBEDDING = "demo-embedding"
UNKNOWN = "no-such-model"
# KServe's sklearn iris example.
IRIS_ROWS = [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]
SAMPLES = np.array(IRIS_ROWS, dtype=np.float32)
IRIS_PLAIN = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4], "data": IRIS_ROWS}]}
TEXTS = ["a cat sat on the mat", "rain over the harbour"]
TIMEOUT_S = 30
BINARY_HEADER = "inference-header-content-length"


def plain(base, method, path, body=None):
    """The server's answer to a plain HTTP call, without the SDK: (status, parsed JSON body)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {} if data is None else {"content-type": "application/json"}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def plain_ok(base, method, path, body=None):
    status, answer = plain(base, method, path, body)
    assert status == 200, f"plain {method} {path}: status {status}: {answer}"
    return answer


def plain_outputs(answer):
    """A plain V2 JSON answer's outputs as numpy arrays of their datatype and shape."""
    dtypes = {"INT64": np.int64, "FP32": np.float32}
    return {
        output["name"]: np.array(output["data"], dtype=dtypes[output["datatype"]]).reshape(output["shape"])
        for output in answer["outputs"]
    }


async def sdk_error(call, how):
    """The HTTPStatusError the SDK raises for a call the server refuses."""
    try:
        await call
    except httpx.HTTPStatusError as error:
        return error
    raise AssertionError(f"{how}: the SDK raised no error")


def check_surfaced(error, how, status, answer):
    """The SDK's error carries the server's status, and its message starts with the server's `error`."""
    assert error.response.status_code == status, f"{how}: status {error.response.status_code}, expected {status}"
    message = answer["error"]
    surfaced = str(error)
    assert surfaced.startswith(f"{message}, '{status} "), (
        f"{how}: the SDK's message is {surfaced!r}, without the server's {message!r} "
        f"(content-type {error.response.headers.get('content-type')!r})"
    )
    return [status, message]


def check_outputs(response, expected, how):
    """Reads every output of the SDK's InferResponse as numpy and compares it with the plain answer's."""
    assert isinstance(response, InferResponse), f"{how}: the SDK returned {type(response).__name__}"
    got = {output.name: output.as_numpy() for output in response.outputs}
    assert got.keys() == expected.keys(), f"{how}: outputs {sorted(got)}, expected {sorted(expected)}"
    for name, want in expected.items():
        value = response.get_output_by_name(name).as_numpy()
        assert value.dtype == want.dtype, f"{how}: '{name}' dtype {value.dtype}, expected {want.dtype}"
        assert value.shape == want.shape, f"{how}: '{name}' shape {value.shape}, expected {want.shape}"
        assert np.array_equal(value, want), f"{how}: '{name}' is {value.tolist()}, plain HTTP gave {want.tolist()}"
    return got


async def check_health(base, v1, v2):
    assert await v1.is_server_live(base) is True, "v1 is_server_live() is not True"
    assert await v2.is_server_live(base) is True, "v2 is_server_live() is not True"
    assert await v2.is_server_ready(base) is True, "v2 is_server_ready() is not True"
    for model in (IRIS, EMBEDDING):
        assert await v1.is_model_ready(base, model) is True, f"v1 is_model_ready('{model}') is not True"
        assert await v2.is_model_ready(base, model) is True, f"v2 is_model_ready('{model}') is not True"
    # V2 reads any answer but 2xx as not ready.
    assert await v2.is_model_ready(base, UNKNOWN) is False, f"v2 is_model_ready('{UNKNOWN}') is not False"


def check_metadata(base):
    models = {}
    for model in (IRIS, EMBEDDING):
        metadata = ModelMetadataResponse.model_validate(plain_ok(base, "GET", f"/v2/models/{model}"))
        assert metadata.name == model, f"metadata of '{model}' names {metadata.name!r}"
        assert metadata.versions == ["1"], f"metadata of '{model}' lists versions {metadata.versions}"
        models[model] = {
            "inputs": {t.name: [t.datatype, t.shape] for t in metadata.inputs},
            "outputs": {t.name: [t.datatype, t.shape] for t in metadata.outputs},
        }
    return models


async def check_v1_predict(base, v1):
    predictions = {}
    for model, instances in ((IRIS, IRIS_ROWS), (EMBEDDING, TEXTS)):
        body = {"instances": instances}
        answer = await v1.infer(base, body, model_name=model)
        expected = plain_ok(base, "POST", f"/v1/models/{model}:predict", body)
        assert answer == expected, f"v1 predict on '{model}': the SDK read {answer}, plain HTTP gave {expected}"
        predictions[model] = answer["predictions"]
    return predictions


async def check_v2_infer(base, v2):
    """Every combination of JSON and binary tensors in and out, then a dict, then BYTES texts."""
    expected = plain_outputs(plain_ok(base, "POST", f"/v2/models/{IRIS}/infer", IRIS_PLAIN))
    infers = []
    for binary_input in (False, True):
        for binary_output in (False, True):
            how = f"v2 infer, {'binary' if binary_input else 'JSON'} in, {'binary' if binary_output else 'JSON'} out"
            tensor = InferInput("input", list(SAMPLES.shape), "FP32")
            tensor.set_data_from_numpy(SAMPLES, binary_data=binary_input)
            request_id = f"kserve-check-{len(infers)}"
            request = InferRequest(
                model_name=IRIS,
                infer_inputs=[tensor],
                request_id=request_id,
                parameters={"binary_data_output": True} if binary_output else None,
            )
            headers = {}
            response = await v2.infer(base, request, model_name=IRIS, response_headers=headers)
            assert response.id == request_id, f"{how}: id {response.id!r}, expected {request_id!r}"
            assert response.model_name == IRIS, f"{how}: model_name {response.model_name!r}"
            assert (BINARY_HEADER in headers) == binary_output, f"{how}: answer headers {headers}"
            outputs = check_outputs(response, expected, how)
            infers.append(how.removeprefix("v2 infer, "))

    response = await v2.infer(base, IRIS_PLAIN, model_name=IRIS)
    check_outputs(response, expected, "v2 infer of a dict")
    infers.append("dict")

    texts_plain = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(TEXTS)], "data": TEXTS}]}
    embedded = plain_outputs(plain_ok(base, "POST", f"/v2/models/{EMBEDDING}/infer", texts_plain))
    for binary in (False, True):
        how = f"v2 infer of texts, {'binary' if binary else 'JSON'}"
        tensor = InferInput("text", [len(TEXTS)], "BYTES")
        tensor.set_data_from_numpy(np.array([text.encode() for text in TEXTS], dtype=np.object_), binary_data=binary)
        parameters = {"binary_data_output": True} if binary else None
        request = InferRequest(model_name=EMBEDDING, infer_inputs=[tensor], parameters=parameters)
        vectors = check_outputs(await v2.infer(base, request, model_name=EMBEDDING), embedded, how)["embedding"]
        infers.append(how.removeprefix("v2 infer of "))
    return outputs["label"].tolist(), list(vectors.shape), infers


async def check_errors(base, v1, v2):
    errors = {}

    tensor = InferInput("input", list(SAMPLES.shape), "FP32")
    tensor.set_data_from_numpy(SAMPLES)
    request = InferRequest(model_name=UNKNOWN, infer_inputs=[tensor])
    error = await sdk_error(v2.infer(base, request, model_name=UNKNOWN), "v2 infer of an unknown model")
    status, answer = plain(base, "POST", f"/v2/models/{UNKNOWN}/infer", IRIS_PLAIN)
    errors["v2_unknown_model"] = check_surfaced(error, "v2 infer of an unknown model", 404, answer)

    # [2, 3] where the model takes [-1, 4].
    wrong = InferInput("input", [2, 3], "FP32")
    wrong.set_data_from_numpy(SAMPLES[:, :3].copy())
    error = await sdk_error(v2.infer(base, InferRequest(IRIS, [wrong]), model_name=IRIS), "v2 wrong shape")
    wrong_plain = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 3], "data": SAMPLES[:, :3].tolist()}]}
    status, answer = plain(base, "POST", f"/v2/models/{IRIS}/infer", wrong_plain)
    errors["v2_wrong_shape"] = check_surfaced(error, "v2 wrong shape", 400, answer)

    body = {"instances": IRIS_ROWS}
    error = await sdk_error(v1.infer(base, body, model_name=UNKNOWN), "v1 predict of an unknown model")
    status, answer = plain(base, "POST", f"/v1/models/{UNKNOWN}:predict", body)
    errors["v1_unknown_model"] = check_surfaced(error, "v1 predict of an unknown model", 404, answer)

    # V1 answers False only for 503; any other failure is raised.
    error = await sdk_error(v1.is_model_ready(base, UNKNOWN), "v1 is_model_ready of an unknown model")
    status, answer = plain(base, "GET", f"/v1/models/{UNKNOWN}")
    errors["v1_model_ready_unknown"] = check_surfaced(error, "v1 is_model_ready of an unknown model", 404, answer)

    # The server runs no explainer: 501, as KServe's own server answers for a model without one.
    error = await sdk_error(v1.explain(base, IRIS, body), "v1 explain")
    status, answer = plain(base, "POST", f"/v1/models/{IRIS}:explain", body)
    errors["v1_explain"] = check_surfaced(error, "v1 explain", 501, answer)
    return errors


async def main(base):
    async with (
        InferenceRESTClient(RESTConfig(protocol="v1", timeout=TIMEOUT_S)) as v1,
        InferenceRESTClient(RESTConfig(protocol="v2", timeout=TIMEOUT_S)) as v2,
    ):
        await check_health(base, v1, v2)
        models = check_metadata(base)
        predictions = await check_v1_predict(base, v1)
        labels, embedding_shape, infers = await check_v2_infer(base, v2)
        errors = await check_errors(base, v1, v2)

    summary = {
        "ok": True,
        "client": f"kserve {version('kserve')}",
        "models": models,
        "v1_predictions": predictions[IRIS],
        "v1_embedding_rows": len(predictions[EMBEDDING]),
        "v2_labels": labels,
        "v2_embedding_shape": embedding_shape,
        "v2_infers": infers,
        "errors": errors,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: kserve_check.py BASE_URL")
    asyncio.run(main(sys.argv[1].rstrip("/")))
