FROM python:3.12-slim
WORKDIR /app
COPY edge/agent.py .
USER 10001
CMD ["python", "agent.py"]
