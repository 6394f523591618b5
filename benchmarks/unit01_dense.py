"""Unit 01 benchmark: the article's dense classifier, as published and with the taught improvement.

Trains the 286,810-parameter MLP on the 55,000 training images (first 5,000 kept for
validation) and reports test accuracy and wall time per recipe and seed:

    python benchmarks/unit01_dense.py --recipe article --recipe momentum --seeds 0 1 2

Recipes: ``article`` = SGD(lr=0.01), 10 epochs (the source article); ``momentum`` = SGD with
Nesterov momentum 0.9; ``momentum-cosine`` = the same with the learning rate decayed to zero
on a cosine over the 10 epochs; ``adam`` = Adam(1e-3), 10 epochs; ``article-30-epochs``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

RECIPES = {
    "article": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False, "epochs": 10},
    "momentum": {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True, "epochs": 10},
    "momentum-cosine": {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True, "epochs": 10,
                        "cosine": True},
    "adam": {"optimizer": "adam", "learning_rate": 1e-3, "epochs": 10},
    "article-30-epochs": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False,
                          "epochs": 30},
}


def run(recipe: str, seed: int) -> dict:
    import keras

    from course_lib.config import seed_everything
    from course_lib.data import load_fashion_mnist
    from course_lib.models.dense_keras import build_dense_classifier, compile_classifier

    (x_full, y_full), (x_test, y_test) = load_fashion_mnist()
    x_valid, x_train = x_full[:5000] / 255.0, x_full[5000:] / 255.0
    y_valid, y_train = y_full[:5000], y_full[5000:]
    settings = dict(RECIPES[recipe])
    epochs = settings.pop("epochs")
    seed_everything(seed)
    model = build_dense_classifier()
    if settings.pop("optimizer", "sgd") == "adam":
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      optimizer=keras.optimizers.Adam(settings["learning_rate"]))
    else:
        if settings.pop("cosine", False):  # decay the learning rate to zero over training
            steps = epochs * -(-len(x_train) // 32)
            settings["learning_rate"] = keras.optimizers.schedules.CosineDecay(
                settings["learning_rate"], decay_steps=steps)
        compile_classifier(model, **settings)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, validation_data=(x_valid, y_valid),
                        verbose=0)
    seconds = time.perf_counter() - start
    test_loss, test_accuracy = model.evaluate(x_test / 255.0, y_test, verbose=0)
    return {"recipe": recipe, "seed": seed, "epochs": epochs, "train_seconds": round(seconds, 1),
            "val_accuracy_epoch1": round(history.history["val_accuracy"][0], 4),
            "val_accuracy_last": round(history.history["val_accuracy"][-1], 4),
            "test_accuracy": round(float(test_accuracy), 4), "test_loss": round(test_loss, 4),
            "keras": keras.__version__, "cores": os.cpu_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", action="append", choices=sorted(RECIPES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    for recipe in args.recipe or sorted(RECIPES):
        for seed in args.seeds:
            print(json.dumps(run(recipe, seed)), flush=True)


if __name__ == "__main__":
    main()
