# Orders worker: the package's folder is on Python's path.
FROM python:3.12-slim
WORKDIR /app
COPY src/ ./src/
ENV PYTHONPATH=/app/src
CMD ["python", "-m", "orders.worker"]
