# ocp-conformance in a container: the harness (built from this checkout), Node.js 20 and Allure 3 for the HTML
# report.
#
# UNTESTED HERE: the machine this project is developed and CI-tested on has no Docker engine, so this file has
# never been built or run by us. Its steps are the ones tests/cli/test_packaging.py runs for the CI examples
# (build the wheel, pip install it in a fresh venv, npm install Allure 3); report what fails.
#
#   docker build -t ocp-conformance .
#   docker run --rm ocp-conformance --version
#   docker run --rm -v "$PWD:/work" -e PORTAL_SECRET_B01234 -e PORTAL_SECRET_B05678 ocp-conformance \
#       run --target portal --report reports --workers auto
#
# /work is the participant's repository (ocp-conformance.toml, waivers.toml); reports are written there.
# Secrets come in as environment variables (-e NAME), never as arguments.

FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY . .
RUN python -m pip install --no-cache-dir build && python -m build --wheel --outdir /dist .

# Node.js 20 (Allure 3 needs it) from the official image; Debian bookworm's python3 is 3.11.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/* \
 && npm install --global --no-audit --no-fund allure@3.18.0 \
 && npm cache clean --force
COPY --from=wheel /dist/ /tmp/dist/
RUN python3 -m venv /opt/ocp-conformance \
 && /opt/ocp-conformance/bin/pip install --no-cache-dir /tmp/dist/*.whl \
 && rm -rf /tmp/dist
ENV PATH="/opt/ocp-conformance/bin:${PATH}"
USER node
WORKDIR /work
ENTRYPOINT ["ocp-conformance"]
CMD ["--help"]
