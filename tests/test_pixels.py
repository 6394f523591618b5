"""uint8 <-> [-1, 1]: one formula each way, exact round trip, the layouts the course uses."""

import numpy as np
import torch

from course_lib.data.pixels import from_uint8, to_uint8


def test_round_trip_is_exact_for_every_value():
    x = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 16, 16)
    y = from_uint8(x)
    assert y.dtype == torch.float32 and y.min() == -1 and y.max() == 1
    assert torch.equal(to_uint8(y), x)


def test_channels_last_arrays_become_channels_first_tensors():
    x = np.random.default_rng(0).integers(0, 256, (2, 5, 7, 3), dtype=np.uint8)
    y = from_uint8(x, channels_last=True)
    assert y.shape == (2, 3, 5, 7)
    assert torch.equal(to_uint8(y, channels_last=True), torch.from_numpy(x))


def test_out_of_range_values_are_clipped_not_wrapped():
    assert to_uint8(torch.tensor([-3.0, 1.5])).tolist() == [0, 255]
