"""Checks the server with an official Open Inference client: tritonclient's HTTP client.

Usage: python tritonclient_check.py HOST:PORT

Reads health and metadata, then runs the demo `iris` model with JSON tensors,
with the client's default binary tensor data, and with per-output choices, and
checks that a wrong shape fails with 400. Prints one JSON summary line on
success; any failed check raises, so the script exits non-zero with a message.
"""

import json
import sys
from importlib.metadata import version

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

MODEL = "iris"
# KServe's sklearn iris example; both rows are versicolor (label 1).
SAMPLES = np.array([[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]], dtype=np.float32)
EXPECTED_LABELS = [1, 1]


def iris_input(binary_data):
    tensor = httpclient.InferInput("input", list(SAMPLES.shape), "FP32")
    tensor.set_data_from_numpy(SAMPLES, binary_data=binary_data)
    return tensor


def check_prediction(result, how):
    label = result.as_numpy("label")
    probabilities = result.as_numpy("probabilities")
    assert label is not None, f"{how}: no 'label' output"
    assert probabilities is not None, f"{how}: no 'probabilities' output"
    assert label.dtype == np.int64, f"{how}: 'label' dtype is {label.dtype}, expected int64"
    assert label.tolist() == EXPECTED_LABELS, f"{how}: labels {label.tolist()}, expected {EXPECTED_LABELS}"
    assert probabilities.dtype == np.float32, f"{how}: 'probabilities' dtype is {probabilities.dtype}"
    assert probabilities.shape == (2, 3), f"{how}: 'probabilities' shape {probabilities.shape}, expected (2, 3)"
    sums = probabilities.sum(axis=1)
    assert np.allclose(sums, 1.0, atol=1e-4), f"{how}: probability rows sum to {sums.tolist()}, expected 1"
    assert probabilities.argmax(axis=1).tolist() == EXPECTED_LABELS, f"{how}: argmax disagrees with 'label'"
    return label.tolist()


def main(url):
    client = httpclient.InferenceServerClient(url=url)
    try:
        assert client.is_server_live(), "is_server_live() is False"
        assert client.is_server_ready(), "is_server_ready() is False"
        if not client.is_model_ready(MODEL):
            try:
                client.get_model_metadata(MODEL)
                why = "yet its metadata reads fine"
            except InferenceServerException as error:
                why = error.message()
            raise AssertionError(f"is_model_ready('{MODEL}') is False: {why}")

        server = client.get_server_metadata()
        assert server["name"] == "inferlens", f"server name is {server.get('name')!r}"
        assert isinstance(server.get("version"), str), f"server version is {server.get('version')!r}"
        assert "binary_tensor_data" in server["extensions"], f"extensions are {server.get('extensions')!r}"

        model = client.get_model_metadata(MODEL)
        assert model["name"] == MODEL, f"model metadata names {model.get('name')!r}"
        inputs = {t["name"]: (t["datatype"], t["shape"]) for t in model["inputs"]}
        outputs = {t["name"]: (t["datatype"], t["shape"]) for t in model["outputs"]}
        assert inputs == {"input": ("FP32", [-1, 4])}, f"model inputs are {inputs}"
        assert outputs == {"label": ("INT64", [-1]), "probabilities": ("FP32", [-1, 3])}, f"model outputs are {outputs}"

        # 1. JSON tensors both ways: the request has no binary part, the answer is plain JSON.
        result = client.infer(
            MODEL,
            [iris_input(binary_data=False)],
            outputs=[
                httpclient.InferRequestedOutput("label", binary_data=False),
                httpclient.InferRequestedOutput("probabilities", binary_data=False),
            ],
        )
        labels = check_prediction(result, "JSON tensors")
        assert "data" in result.get_output("label"), "JSON tensors: 'label' came back without JSON data"

        # 2. The client's defaults: binary input, no outputs named, so `binary_data_output` for all.
        result = client.infer(MODEL, [iris_input(binary_data=True)], request_id="binary-1")
        check_prediction(result, "binary tensors")
        assert result.get_response()["id"] == "binary-1", "binary tensors: the request id was not echoed"
        for name in ("label", "probabilities"):
            parameters = result.get_output(name).get("parameters", {})
            assert "binary_data_size" in parameters, f"binary tensors: '{name}' came back without binary_data_size"

        # 3. Mixed: binary input and 'label' in binary, 'probabilities' in JSON.
        result = client.infer(
            MODEL,
            [iris_input(binary_data=True)],
            outputs=[
                httpclient.InferRequestedOutput("label", binary_data=True),
                httpclient.InferRequestedOutput("probabilities", binary_data=False),
            ],
        )
        check_prediction(result, "mixed tensors")
        assert "data" in result.get_output("probabilities"), "mixed tensors: 'probabilities' was not JSON"

        # 4. The classification extension: the top 2 classes of each row, as "score:index:label".
        result = client.infer(
            MODEL,
            [iris_input(binary_data=True)],
            outputs=[httpclient.InferRequestedOutput("probabilities", class_count=2)],
        )
        top = result.as_numpy("probabilities")
        assert top.shape == (2, 2), f"classification: shape {top.shape}, expected (2, 2)"
        best = [entry.decode().split(":") for entry in top[:, 0]]
        assert [(index, label) for _, index, label in best] == [("1", "versicolor")] * 2, f"classification: {top!r}"

        # 5. A wrong shape: [2, 3] where the model takes [-1, 4].
        wrong = httpclient.InferInput("input", [2, 3], "FP32")
        wrong.set_data_from_numpy(SAMPLES[:, :3].copy(), binary_data=True)
        try:
            client.infer(MODEL, [wrong])
        except InferenceServerException as error:
            assert error.status() == "400", f"wrong shape: status {error.status()}, expected 400 ({error.message()})"
            assert "'input'" in error.message(), f"wrong shape: message does not name the input: {error.message()!r}"
            rejected = error.message()
        else:
            raise AssertionError("wrong shape: the server accepted a [2, 3] input")
    finally:
        client.close()

    summary = {
        "ok": True,
        "client": f"tritonclient {version('tritonclient')}",
        "server": {"name": server["name"], "version": server["version"], "extensions": server["extensions"]},
        "model": {"inputs": inputs, "outputs": outputs},
        "labels": labels,
        "infers": ["json", "binary", "mixed", "classification"],
        "wrong_shape": rejected,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tritonclient_check.py HOST:PORT")
    # tritonclient takes host:port; accept a base URL too.
    main(sys.argv[1].removeprefix("http://").rstrip("/"))
