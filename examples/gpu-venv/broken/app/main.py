import torch
import torchvision
from fastapi import FastAPI

api = FastAPI()


@api.get("/health")
def health():
    return {"cuda": torch.cuda.is_available()}
