# The chatshop server image (docker-compose.yml builds it). Dependencies come from the hash-pinned
# requirements/main.lock (`make lock` updates it), installed before the code so a code change reuses the layer.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY requirements/main.lock requirements/main.lock
RUN pip install --no-cache-dir --require-hashes -r requirements/main.lock
COPY pyproject.toml README.md ./
COPY chatshop chatshop
COPY domain domain
COPY nlu nlu
COPY bots bots
COPY channels channels
COPY admin_api admin_api
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
 && useradd --system --uid 10001 --home-dir /app chatshop && mkdir -p var && chown chatshop var
USER chatshop
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status == 200 else 1)"
# Migrations run once, from the `migrate` service in docker-compose.yml (or by hand before an upgrade).
CMD ["chatshop", "run", "--host", "0.0.0.0", "--port", "8080"]
