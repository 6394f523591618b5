"""Typical wrong answers to assignment 02; each must lose points."""

MISTAKES = {
    "padding counted on one side only": {
        "conv_output_size": '''def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + padding - kernel_size) // stride + 1''',
    },
    "transposed conv as size * stride": {
        "conv_transpose_output_size": '''def conv_transpose_output_size(size, kernel_size,
                               stride=1, padding=0, output_padding=0):
    return size * stride - 2 * padding + kernel_size + output_padding''',
    },
    "ReLU inside Conv2D, before batch norm": {
        "build_cnn": '''def build_cnn(filters=(32, 64), dense_units=128, dropout=0.25):
    layers = [keras.Input(shape=(28, 28)), keras.layers.Reshape((28, 28, 1))]
    for f in filters:
        layers += [keras.layers.Conv2D(f, 3, padding="same", activation="relu"),
                   keras.layers.BatchNormalization(), keras.layers.MaxPooling2D(2)]
    layers += [keras.layers.Flatten(), keras.layers.Dense(dense_units, activation="relu"),
               keras.layers.Dropout(dropout), keras.layers.Dense(10, activation="softmax")]
    return keras.Sequential(layers)''',
    },
    "gradients never cleared": {
        "train_step": '''def train_step(model, images, labels, optimizer):
    model.train()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()''',
    },
    "softmax before cross-entropy": {
        "train_step": '''def train_step(model, images, labels, optimizer):
    model.train()
    loss = F.cross_entropy(torch.softmax(model(images), dim=1), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()''',
    },
}
