# Orders worker: the package is copied to /app/src/orders, but Python looks in /app.
FROM python:3.12-slim
WORKDIR /app
COPY src/ ./src/
CMD ["python", "-m", "orders.worker"]
