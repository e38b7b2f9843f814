"""KServe's Python model server (kserve.Model) running inferlens's iris
model.onnx with onnxruntime, answering KServe V1 and Open Inference V2.
Usage: python kserve_iris.py MODEL.onnx HTTP_PORT"""
import sys
import uuid

import kserve
import numpy as np
import onnxruntime as ort
from kserve import InferOutput, InferRequest, InferResponse


class IrisOnnx(kserve.Model):
    def __init__(self, name: str, path: str):
        super().__init__(name)
        self.session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.ready = True

    def predict(self, payload, headers=None):
        if isinstance(payload, InferRequest):
            rows = payload.inputs[0].as_numpy().astype(np.float32)
            label = self.session.run(["label"], {"input": rows})[0]
            output = InferOutput(name="label", shape=list(label.shape), datatype="INT64", data=label)
            response_id = payload.id or str(uuid.uuid4())
            return InferResponse(response_id=response_id, model_name=self.name, infer_outputs=[output])
        rows = np.asarray(payload["instances"], dtype=np.float32)
        label = self.session.run(["label"], {"input": rows})[0]
        return {"predictions": label.tolist()}


if __name__ == "__main__":
    model = IrisOnnx("iris", sys.argv[1])
    # One worker, no gRPC (unused here) and no per-request latency log lines:
    # the server at its fastest for this comparison.
    server = kserve.ModelServer(
        http_port=int(sys.argv[2]), workers=1, enable_grpc=False, enable_latency_logging=False
    )
    server.start([model])
