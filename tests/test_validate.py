"""Messages of cnnlib._validate, the checks every public function shares."""

import pytest

from cnnlib import _validate


def test_ragged_array_message_names_the_layout_when_given():
    with pytest.raises(TypeError, match=r"^x must be an array \(N, K\): setting an array"):
        _validate.array("x", [[1.0, 2.0], [1.0]], layout="(N, K)")


def test_ragged_array_message_without_layout_has_no_stray_space():
    with pytest.raises(TypeError, match=r"^x must be an array: setting an array"):
        _validate.array("x", [[1.0, 2.0], [1.0]])
