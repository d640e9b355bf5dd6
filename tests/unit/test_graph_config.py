"""The plotly config every graph gets: no cloud upload, no logo, slide-sized downloads."""

from __future__ import annotations

import pytest

from components.graph import graph, graph_config


def test_config_disables_cloud_and_logo() -> None:
    config = graph_config("km-os")
    assert config["showSendToCloud"] is False
    assert config["displaylogo"] is False
    assert config["showEditInChartStudio"] is False
    assert "sendDataToCloud" in config["modeBarButtonsToRemove"]
    image = config["toImageButtonOptions"]
    assert image["width"] / image["height"] == pytest.approx(16 / 9)
    assert image["scale"] >= 2
    assert image["filename"] == "km-os"


def test_graph_applies_config_and_refuses_override() -> None:
    component = graph("some-id", filename="x")
    assert component.config["showSendToCloud"] is False
    with pytest.raises(TypeError):
        graph("other", config={"showSendToCloud": True})
