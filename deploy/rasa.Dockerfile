# The optional Rasa NLU server for docker-compose.yml (profile "rasa"): the pinned requirements/rasa.lock,
# and the model trained at build time from nlu/data, named by the same hash `chatshop doctor` checks.
# Build context: the repository root.
FROM python:3.10-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements/rasa.lock /tmp/rasa.lock
RUN pip install --no-cache-dir --require-hashes -r /tmp/rasa.lock && useradd --system --uid 10002 rasa
COPY nlu/rasa_build.py /nlu/rasa_build.py
COPY nlu/rasa /nlu/rasa
COPY nlu/data /nlu/data
RUN hash="$(python /nlu/rasa_build.py hash)" \
 && python /nlu/rasa_build.py build /tmp/build \
 && cd /tmp/build && rasa train nlu --config config.yml --nlu data --domain domain.yml \
      --out /models --fixed-model-name "nlu-$hash" \
 && ln -s "/models/nlu-$hash.tar.gz" /models/current.tar.gz && rm -rf /tmp/build
USER rasa
WORKDIR /models
EXPOSE 5005
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/status', timeout=4)"
CMD ["rasa", "run", "--enable-api", "--interface", "0.0.0.0", "--port", "5005", "--model", "/models/current.tar.gz"]
