"""The SPADE generator and style encoder that ship with the package (unit 06): load, export,
its sidecar.

``course train spade --export`` writes both networks as fp16 safetensors plus a JSON sidecar:
the config, whether the style encoder is there, the command, the seed and the measured quality.
``load_spade`` reads it back, or the latest checkpoint of a run folder.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from course_lib.models.spade.config import SPADEConfig
from course_lib.models.spade.styled import StyledSPADE
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,
    checkpoint_path,
    jsonable,
    latest_network_weights,
    load_weights,
    read_sidecar,
    save_weights,
)

CHECKPOINT_NAME = "spade_landscapes64"


def export_spade(model: StyledSPADE, meta: dict[str, Any], path: str | Path | None = None
                 ) -> Path:
    """Write the generator and style encoder as fp16 safetensors plus a JSON sidecar."""
    sidecar = {"config": jsonable(asdict(model.config)),
               "use_encoder": model.encoder is not None, **meta}
    return save_weights(model.state_dict(), checkpoint_path(path, CHECKPOINT_NAME), sidecar)


def load_spade(path: str | Path | None = None) -> StyledSPADE:
    """The shipped (or an exported) SPADE generator + style encoder: float32, eval, CPU.

    Also accepts a run folder of ``course train spade`` (its latest checkpoint).
    """
    path = Path(path) if path else CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors"
    found = latest_network_weights(path, "generator")
    if found:
        state, meta = found
        use_encoder = meta["losses"]["use_encoder"]
    else:
        state, meta = load_weights(path, "SPADE", "course train spade")
        use_encoder = meta["use_encoder"]
    model = StyledSPADE(SPADEConfig(**meta["config"]), use_encoder=use_encoder)
    model.load_state_dict(state)
    return model.eval()


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of the shipped SPADE checkpoint (command, seed, date, quality)."""
    return read_sidecar(checkpoint_path(path, CHECKPOINT_NAME))
