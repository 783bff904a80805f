# The chatshop server image used by docker-compose.yml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY chatshop chatshop
COPY domain domain
COPY nlu nlu
COPY bots bots
COPY channels channels
COPY admin_api admin_api
RUN pip install --no-cache-dir .
EXPOSE 8080
CMD ["sh", "-c", "chatshop db upgrade && chatshop seed --demo --if-empty && chatshop run --host 0.0.0.0 --port 8080"]
