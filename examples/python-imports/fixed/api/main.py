import uvicorn
from fastapi import FastAPI

from shared.money import format_cents

app = FastAPI()


@app.get("/price/{cents}")
def price(cents: int) -> dict[str, str]:
    return {"price": format_cents(cents)}


if __name__ == "__main__":
    uvicorn.run(app, host="0.0.0.0", port=8000)
