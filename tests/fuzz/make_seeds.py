#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (tests/fuzz/corpus/): small valid and nearly valid
inputs of each reader, each CSV and .npy seed led by the byte that picks the read options (see
fuzz_csv.cpp and fuzz_npy.cpp). Run it again after changing the seeds; the files are committed."""
import gzip
import json
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent


def npy(descr, shape, values, fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False",
        "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")")
    while (10 + len(header) + 1) % 64:
        header += " "
    header += "\n"
    body = b"".join(struct.pack("<" + descr[-2:].replace("f4", "f").replace("f8", "d"), v)
                    for v in values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body


def write(kind, name, data):
    (HERE / "corpus" / kind / name).write_bytes(data)


def main():
    for kind in ("csv", "npy", "model", "checkpoint"):
        (HERE / "corpus" / kind).mkdir(parents=True, exist_ok=True)
    table = b"a,b,y\n1,2,3\n4.5,-6e-1,+7\n"
    write("csv", "header", b"\x00" + table)
    write("csv", "no-header", b"\x00" + b"1,2,3\n4,5,6\n7,8,9\n")
    write("csv", "declared", b"\x01" + table)
    write("csv", "semicolons-quotes-crlf", b"\x04" + b'"x, y";"say ""hi""";y\r\n"1.5"; 2 ;3\r\n')
    write("csv", "target-by-name", b"\x18" + table)
    write("csv", "matched-by-name", b"\x20" + b"id,y,b,a\nr1,3,2,1\nr2,6,5,4\n")
    write("csv", "prediction", b"\x40" + b"a,b\n1,2\n3,4\n")
    write("csv", "threads", b"\x80" + b"a,b,y\n" + b"1,2,3\n" * 200)
    write("csv", "bom", b"\x00" + b"\xef\xbb\xbf" + table)
    write("csv", "gzip", b"\x00" + gzip.compress(table, mtime=0))
    write("csv", "trailing-delimiter", b"\x00" + b"a,b,y,\n1,2,3,\n")
    write("npy", "f4-target-last", b"\x00" + npy("<f4", (2, 3), [1, 2, 3, 4, 5, 6]))
    write("npy", "f8-target-first", b"\x01" + npy("<f8", (2, 3), [1, 2, 3, 4, 5, 6]))
    write("npy", "prediction", b"\x02" + npy("<f4", (3, 2), [1, 2, 3, 4, 5, 6]))
    write("npy", "fortran", b"\x00" + npy("<f4", (2, 2), [1, 2, 3, 4], fortran=True))
    write("npy", "gzip", b"\x04" + gzip.compress(npy("<f4", (2, 3), [1, 2, 3, 4, 5, 6]), mtime=0))
    model = {"format": "linsgd-model", "version": 1, "n_features": 2,
             "feature_names": ["a", "b"], "target": "y", "weights": [0.5, -1.25], "bias": 0.75,
             "standardization": None,
             "hyperparameters": {"batch_size": 64, "learning_rate": 0.01, "steps": 2000,
                                 "sigma": 0.01, "seed": 42, "device": "cpu"},
             "metrics": {"final_batch_loss": 0.06, "full_loss": 0.07}}
    write("model", "plain", json.dumps(model, indent=1).encode())
    model["standardization"] = {"mean": [1.0, 2.0], "scale": [0.5, 3.0]}
    write("model", "standardized", json.dumps(model).encode())
    state = {"steps_done": 3, "learning_rate": 0.002, "first_learning_rate": 0.01,
             "best_objective": 0.5, "evaluations_without_improvement": 1, "seconds": 0.02,
             "bias": 0.25,
             "weights": [0.5, -1.25], "velocity": [0.1, 0.2, 0.3], "average": [],
             "losses": {"file": "c.json.losses", "count": 3, "digest": "0123456789abcdef"},
             "evaluations": [{"step": 2, "seconds": 0.01, "objective": 0.5,
                              "validation_objective": None}]}
    checkpoint = {"format": "linsgd-checkpoint", "version": 2,
                  "hyperparameters": model["hyperparameters"],
                  "data": {"rows": 10, "features": 2, "digest": "0123456789abcdef"},
                  "state": state}
    write("checkpoint", "momentum", json.dumps(checkpoint).encode())
    state.update(velocity=[], average=[0.5, -1.0, 0.25], losses=None, best_objective=None,
                 evaluations=[])
    write("checkpoint", "average-no-losses", json.dumps(checkpoint).encode())


if __name__ == "__main__":
    main()
