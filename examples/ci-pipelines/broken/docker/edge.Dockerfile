FROM python:3.12-slim
WORKDIR /app
COPY edge/agent.py .
RUN python -m compileall -q /app
USER 10001
CMD ["python", "agent.py"]
