"""Reading trace files (format v1, docs/model.md) in the bench scripts: the header and the rounds."""


def header_fields(path):
    """The trace's '# key=value; ...' header fields."""
    fields = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            for part in line[1:].split(";"):
                if "=" in part:
                    k, v = part.split("=", 1)
                    fields[k.strip()] = v.strip()
    return fields


def rounds_of(path):
    """[(dirty_pages, seconds)] of the trace's rounds, in order (the curve section left out)."""
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("# section="):
                break
            if line.startswith("#") or line.startswith("round,"):
                continue
            parts = line.strip().split(",")
            if len(parts) >= 3:
                rows.append((int(parts[1]), float(parts[2])))
    return rows
