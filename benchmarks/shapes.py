"""The benchmark shapes of shapes.json, the list linsgd's benchmark binary reads too (through
shapes.hpp), or of the file LINSGD_BENCH_SHAPES names: read by pytorch_reference.py and
make_table.py."""
import json
import os

SHAPES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes.json")


def shapes_file():
    """The shapes file in use: LINSGD_BENCH_SHAPES where set, else shapes.json."""
    return os.environ.get("LINSGD_BENCH_SHAPES") or SHAPES_FILE


def load_shapes(smoke, path=None):
    """(name, rows, features, batch, gpu steps, cpu steps) of each shape in `path` (default:
    shapes_file()), its smoke shapes with `smoke`."""
    with open(path or shapes_file()) as file:
        shapes = json.load(file)["smoke_shapes" if smoke else "shapes"]
    return [(s["name"], s["rows"], s["features"], s["batch"], s["gpu_steps"], s["cpu_steps"])
            for s in shapes]
