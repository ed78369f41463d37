# The hub as a container: `docker build -t partner-hub . && docker run -p 8000:8000 partner-hub`
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HUB_DATA_DIR=/data HUB_DATABASE_URL=sqlite:////data/hub.db
WORKDIR /app

COPY pyproject.toml README.md ./
COPY hub ./hub
COPY connectors ./connectors
COPY webhooks ./webhooks
COPY sandbox ./sandbox
COPY mappings ./mappings
COPY config ./config
RUN pip install --no-cache-dir . && useradd --create-home hub && mkdir -p /data && chown hub /data
ENV HUB_MAPPINGS_DIR=/app/mappings

USER hub
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["hub", "serve", "--host", "0.0.0.0", "--port", "8000"]
