"""Typical wrong answers to assignment 01; each must lose points."""

MISTAKES = {
    "validation taken from the end": {
        "split_and_scale": '''def split_and_scale(x_train_full, y_train_full, x_test):
    x_valid, x_train = x_train_full[-5000:] / 255.0, x_train_full[:-5000] / 255.0
    y_valid, y_train = y_train_full[-5000:], y_train_full[:-5000]
    return x_train, y_train, x_valid, y_valid, x_test / 255.0''',
    },
    "test set left unscaled": {
        "split_and_scale": '''def split_and_scale(x_train_full, y_train_full, x_test):
    x_valid, x_train = x_train_full[:5000] / 255.0, x_train_full[5000:] / 255.0
    y_valid, y_train = y_train_full[:5000], y_train_full[5000:]
    return x_train, y_train, x_valid, y_valid, x_test''',
    },
    "one-hot loss for index labels": {
        "compile_model": '''def compile_model(model, learning_rate=0.01):
    model.compile(loss="categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                  metrics=["accuracy"])
    return model''',
    },
    "categorical_accuracy on index labels": {
        "compile_model": '''def compile_model(model, learning_rate=0.01):
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                  metrics=["categorical_accuracy"])
    return model''',
    },
    "from_logits=True on a softmax output": {
        "compile_model": '''def compile_model(model, learning_rate=0.01):
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
                  metrics=["accuracy"])
    return model''',
    },
    "diagonal counted as confusion": {
        "most_confused_pairs": '''def most_confused_pairs(matrix, k=3):
    matrix = np.asarray(matrix)
    cells = [(-int(matrix[t, p]), t, p) for t in range(len(matrix)) for p in range(len(matrix))]
    return [(t, p, -negative) for negative, t, p in sorted(cells)[:k]]''',
    },
}
