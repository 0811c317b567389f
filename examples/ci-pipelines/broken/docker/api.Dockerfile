FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --default-timeout=120 --retries 5 -r requirements.txt
COPY src/ ./src/
USER 10001
CMD ["python", "-m", "src.inference"]
