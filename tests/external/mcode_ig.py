"""The HL7 mCODE IG 4.0.0 package from the npm registry, pinned by its sha512: the IG's own example
Bundles are test data nobody on this project wrote.

`npm install` cannot take it: its package.json lists FHIR-package dependencies (hl7.fhir.r4.core and
others) that are on packages.fhir.org, not on the npm registry. So the tarball is downloaded here,
checked against the sha512 the registry publishes for it (`npm view hl7.fhir.us.mcode@4.0.0
dist.integrity`), and unpacked into tests/external/.cache/ (ignored by git). Run this file to fetch
it ahead of the tests (.ci/run does).
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.request
from pathlib import Path

NAME, VERSION = "hl7.fhir.us.mcode", "4.0.0"
TARBALL = f"https://registry.npmjs.org/{NAME}/-/{NAME}-{VERSION}.tgz"
# dist.integrity of hl7.fhir.us.mcode@4.0.0 on the npm registry (and its sha1 shasum, b1d877a4...)
SHA512 = "HJogFi9rQetIUE8gqKFq2tt4I8ukdH3PUCQO5jBiKxYUgh+vrlXvkWkt/XuYOzpNPdfRmsj3LG4UJm5o1g2OlA=="
CACHE = Path(__file__).parent / ".cache" / f"{NAME}-{VERSION}"


def package() -> Path:
    """The unpacked package folder (with example/ and package.json), fetched once and verified."""
    folder = CACHE / "package"
    if (folder / "package.json").is_file():
        return folder
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != SHA512:
        raise RuntimeError(f"{TARBALL}: sha512 {digest} is not the pinned {SHA512}; refusing to use it")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(CACHE, filter="data")
    return folder


def example_bundles() -> list[Path]:
    """Every example Bundle the IG package publishes, by file name."""
    return sorted((package() / "example").glob("Bundle-*.json"))


if __name__ == "__main__":
    for path in example_bundles():
        print(path)
