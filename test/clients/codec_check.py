"""Checks the server's tensor codecs against numpy, ml_dtypes and tritonclient.

Usage: python codec_check.py HOST:PORT

The server serves `identity_<datatype>` (lower case), an Identity model for
each Open Inference datatype. The check sends edge values of each datatype
with tritonclient's binary tensor data and asks for binary answers, which
must come back bit for bit, and JSON answers, which tritonclient must read
as the values sent; sends FP16 and BF16 JSON numbers, which must be
read with the rounding of numpy's and ml_dtypes' astype; asks for FP32 answers
in JSON, which must read back as the same float32 with no more digits than
numpy's shortest form; sends np.nan and np.inf in JSON (as NaN, Infinity and
-Infinity, which json.dumps writes) and reads them back from JSON answers;
and checks which BYTES elements are refused. Prints
one JSON summary line on success; any failed check raises, so the script
exits non-zero with a message.
"""

import json
import sys
import urllib.request

import ml_dtypes
import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException


def bits(values, dtype, view):
    return np.array(values, dtype=view).view(dtype)


# Edge values of each datatype: extremes, ±0, subnormals, ±Infinity, NaNs with sign and payload.
EDGES = {
    "BOOL": np.array([True, False, True]),
    "UINT8": np.array([0, 1, 255], np.uint8),
    "UINT16": np.array([0, 65535], np.uint16),
    "UINT32": np.array([0, 2**32 - 1], np.uint32),
    "UINT64": np.array([0, 2**53 + 1, 2**63, 2**64 - 1], np.uint64),
    "INT8": np.array([-128, -1, 127], np.int8),
    "INT16": np.array([-32768, 32767], np.int16),
    "INT32": np.array([-(2**31), 2**31 - 1], np.int32),
    "INT64": np.array([-(2**63), -(2**53) - 1, 2**63 - 1], np.int64),
    "FP16": bits(
        [0x0000, 0x8000, 0x0001, 0x03FF, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0xFE01, 0x7D23], np.float16, np.uint16
    ),
    # NaNs only with the quiet payload: the model casts its float32 input to bfloat16, and onnxruntime's cast
    # keeps a NaN's sign but not its payload.
    "BF16": bits(
        [0x0000, 0x8000, 0x0001, 0x007F, 0x0080, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x3DCD],
        ml_dtypes.bfloat16,
        np.uint16,
    ),
    "FP32": bits(
        [0, 0x80000000, 1, 0x007FFFFF, 0x7F7FFFFF, 0x7F800000, 0xFF800000, 0xFFC00000, 0x7FA00123], np.float32, np.uint32
    ),
    "FP64": bits([0, 2**63, 1, 0x7FF0000000000000, 0xFFF8000000000123, 0x7FF0000000000001], np.float64, np.uint64),
    "BYTES": np.array([b"", "h\u00e9llo \U0001f600".encode(), b"x" * 300, b""], dtype=np.object_),
}


def model(datatype):
    return f"identity_{datatype.lower()}"


def infer_binary(client, datatype, values):
    tensor = httpclient.InferInput("input", list(values.shape), datatype)
    tensor.set_data_from_numpy(values, binary_data=True)
    output = httpclient.InferRequestedOutput("output", binary_data=True)
    return client.infer(model(datatype), [tensor], outputs=[output]).as_numpy("output")


def check_binary_round_trips(client):
    for datatype, values in EDGES.items():
        answer = infer_binary(client, datatype, values)
        if datatype == "BYTES":
            assert answer.tolist() == values.tolist(), f"BYTES: sent {values.tolist()}, got {answer.tolist()}"
        else:
            assert answer.dtype == values.dtype, f"{datatype}: answer dtype {answer.dtype}, expected {values.dtype}"
            sent, got = values.tobytes().hex(), answer.tobytes().hex()
            assert sent == got, f"{datatype}: sent {sent}, got {got}"
    return len(EDGES)


def check_json_answers(client):
    """Binary in, JSON out: tritonclient's as_numpy must read back what was sent."""
    for datatype, values in EDGES.items():
        if values.dtype.kind == "f" or datatype == "BF16":
            # The server writes -0 as 0, and a NaN as NaN, without its sign or payload (and no NaN equals
            # another in a list): check_json_non_finite checks NaN and the infinities.
            wide = values.astype(np.float64)
            values = values[~np.isnan(wide) & ~((wide == 0) & np.signbit(wide))]
        tensor = httpclient.InferInput("input", list(values.shape), datatype)
        tensor.set_data_from_numpy(values, binary_data=True)
        output = httpclient.InferRequestedOutput("output", binary_data=False)
        answer = client.infer(model(datatype), [tensor], outputs=[output]).as_numpy("output")
        if datatype == "BYTES":
            # tritonclient reads JSON strings as str, binary ones as bytes.
            answer = np.array([text.encode() for text in answer], dtype=np.object_)
        sent, read = values.tolist(), answer.tolist()
        assert sent == read, f"{datatype}: sent {sent}, JSON answer read as {read}"
    return len(EDGES)


# What a client sends for np.nan and np.inf: json.dumps writes NaN, Infinity and -Infinity.
NON_FINITE = [np.nan, np.inf, -np.inf, 1.5]
FLOAT_DTYPES = {"FP16": np.float16, "BF16": ml_dtypes.bfloat16, "FP32": np.float32, "FP64": np.float64}


def check_json_non_finite(client):
    """np.nan and np.inf in tritonclient's JSON tensors, both ways, read back by as_numpy as what was sent."""
    checked = []
    for datatype, dtype in FLOAT_DTYPES.items():
        values = np.array(NON_FINITE, dtype=dtype)
        tensor = httpclient.InferInput("input", [len(values)], datatype)
        # tritonclient sends BF16 only in binary; the answer is JSON all the same.
        tensor.set_data_from_numpy(values, binary_data=datatype == "BF16")
        output = httpclient.InferRequestedOutput("output", binary_data=False)
        result = client.infer(model(datatype), [tensor], outputs=[output])
        # As json.loads read the answer: NaN and the infinities, not None for a null.
        data = result.get_output("output")["data"]
        assert np.isnan(data[0]) and data[1:] == [np.inf, -np.inf, 1.5], f"{datatype}: JSON data read as {data}"
        answer = result.as_numpy("output")
        assert answer.dtype == values.dtype, f"{datatype}: answer dtype {answer.dtype}, expected {values.dtype}"
        sent, read = values.astype(np.float64), answer.astype(np.float64)
        assert np.array_equal(sent, read, equal_nan=True), f"{datatype}: sent {sent.tolist()}, read {read.tolist()}"
        checked.append(datatype)
    return checked


def post_json(url, body):
    """POSTs a JSON body as written, which tritonclient cannot (it sends each datatype's own numbers)."""
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        length = response.headers.get("Inference-Header-Content-Length")
        return httpclient.InferResult.from_response_body(response.read(), header_length=int(length) if length else None)


def halfway_points(dtype, count):
    """Doubles halfway between neighbouring finite values of `dtype`, and just either side of halfway."""
    finite = np.arange(0, count, dtype=np.uint16).view(dtype).astype(np.float64)
    middles = (finite[:-1] + finite[1:]) / 2
    return np.concatenate([middles, np.nextafter(middles, np.inf), np.nextafter(middles, -np.inf), -middles])


def check_json_rounding(url):
    rng = np.random.default_rng(7)
    checked = 0
    for datatype, dtype, finite_count in [("FP16", np.float16, 0x7C00), ("BF16", ml_dtypes.bfloat16, 0x7F80)]:
        candidates = np.concatenate([halfway_points(dtype, finite_count)[::7], rng.standard_normal(2000) * 50])
        # Numbers that round to Infinity are refused by the server; only finite ones are compared.
        values = candidates[np.isfinite(candidates.astype(dtype))]
        expected = values.astype(dtype)
        body = {
            "inputs": [{"name": "input", "datatype": datatype, "shape": [len(values)], "data": values.tolist()}],
            "outputs": [{"name": "output", "parameters": {"binary_data": True}}],
        }
        answer = post_json(f"http://{url}/v2/models/{model(datatype)}/infer", body).as_numpy("output")
        wrong = np.flatnonzero(answer.view(np.uint16) != expected.view(np.uint16))
        some = wrong[:5]
        assert wrong.size == 0, (
            f"{datatype}: {values[some].tolist()} read as {answer[some].tolist()}, astype gives {expected[some].tolist()}"
        )
        checked += len(values)
    return checked


def significant_digits(number):
    mantissa = np.format_float_scientific(number, unique=True).split("e")[0]
    return len(mantissa.replace("-", "").replace(".", "").rstrip("0")) or 1


def check_fp32_json_output(client):
    rng = np.random.default_rng(11)
    powers_of_two = (2.0 ** np.arange(-149, 128)).astype(np.float32)
    random = rng.integers(1, 0x7F800000, 20000, dtype=np.uint32).view(np.float32)
    values = np.concatenate([powers_of_two, random])
    tensor = httpclient.InferInput("input", [len(values)], "FP32")
    tensor.set_data_from_numpy(values, binary_data=True)
    output = httpclient.InferRequestedOutput("output", binary_data=False)
    written = client.infer(model("FP32"), [tensor], outputs=[output]).get_response()["outputs"][0]["data"]
    for value, number in zip(values.tolist(), written):
        read = np.float32(number)
        assert read == np.float32(value), f"FP32 {value!r} written as {number!r}, which reads back as {read!r}"
        ours, numpys = significant_digits(np.float64(number)), significant_digits(np.float32(value))
        assert ours <= numpys, f"FP32 {value!r} written as {number!r}: {ours} digits, numpy's shortest {numpys}"
    return len(values)


def refused(client, values):
    try:
        infer_binary(client, "BYTES", values)
    except InferenceServerException as error:
        return int(error.status()), error.message()
    return 200, ""


def check_refused_bytes(client):
    results = {}
    for name, element in [("nul", b"a\x00b"), ("not_utf8", b"\xff\xfe")]:
        status, message = refused(client, np.array([b"ok", element], dtype=np.object_))
        assert status == 400, f"BYTES element {element!r}: status {status}, expected 400"
        assert "element 1" in message, f"BYTES element {element!r}: message {message!r} does not name element 1"
        results[name] = status
    return results


def main(url):
    client = httpclient.InferenceServerClient(url=url)
    try:
        summary = {
            "ok": True,
            "binary_round_trips": check_binary_round_trips(client),
            "json_answers": check_json_answers(client),
            "json_non_finite": check_json_non_finite(client),
            "json_rounded": check_json_rounding(url),
            "fp32_written": check_fp32_json_output(client),
            "bytes_refused": check_refused_bytes(client),
        }
    finally:
        client.close()
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
