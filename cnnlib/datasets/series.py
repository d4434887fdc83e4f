"""Time series: real series bundled with statsmodels (sunspots, CO2), or a generated stand-in.

``load_time_series(name)`` reads the CSV inside the installed statsmodels package (no network)
and prints the one-line notice of :mod:`cnnlib.datasets`. Chapter 9 uses it.
"""

import dataclasses

import numpy as np

from cnnlib import _validate
from cnnlib.datasets._source import notice

SERIES = ("sunspots", "co2")
SERIES_SOURCES = ("auto", "local", "standin")


@dataclasses.dataclass(frozen=True, eq=False)
class TimeSeries:
    """One real-valued series in time order.

    Attributes
    ----------
    time : float64 array (N,), increasing (years, decimal for sub-yearly data)
    values : float64 array (N,), no missing values
    unit : str, what ``values`` measures
    source : "local" (the copy bundled with statsmodels) or "standin"
    description : one line saying exactly what data this is
    """

    name: str
    time: np.ndarray
    values: np.ndarray
    unit: str
    source: str
    description: str

    def __repr__(self):
        return (f"TimeSeries({self.name!r}, source={self.source!r}, n={len(self.values)}, "
                f"time {self.time[0]:g}..{self.time[-1]:g})")


def load_time_series(name="sunspots", source="auto"):
    """A real time series that ships with statsmodels; print one line saying which.

    ``sunspots``: yearly mean sunspot numbers 1700-2008 (309 values, NOAA National Geophysical
    Data Center, public domain). ``co2``: weekly atmospheric CO2 at Mauna Loa, 1958-2001 (ppm,
    Keeling and Whorf; the 59 missing weeks are filled by linear interpolation).

    Parameters
    ----------
    name : "sunspots" or "co2"
    source : "auto", "local" or "standin". ``local`` reads the CSV bundled inside the installed
        statsmodels package (no network); ``standin`` *generates* a series of the same length and
        character (11-year cycles of random height, or trend plus season) for machines without
        statsmodels; "auto" tries them in that order.

    Returns
    -------
    series : TimeSeries with time (N,) and values (N,), float64
    """
    _validate.one_of("name", name, SERIES, noun="time series")
    _validate.one_of("source", source, SERIES_SOURCES)
    why = ""
    ts = None
    if source in ("auto", "local"):
        try:
            ts = _read_statsmodels_series(name)
        except ImportError as err:
            if source == "local":
                raise
            why = f" (statsmodels not installed: {err})"
    if ts is None:
        ts = _generated_series(name)
    notice(name, ts.description + why)
    return ts


def _read_statsmodels_series(name):
    import importlib.metadata
    import importlib.resources

    try:
        path = importlib.resources.files(f"statsmodels.datasets.{name}") / f"{name}.csv"
    except ModuleNotFoundError as err:
        raise ImportError(str(err)) from err
    version = importlib.metadata.version("statsmodels")
    lines = path.read_text(encoding="utf-8").replace('"', "").splitlines()
    header = lines[0].strip().lower()
    expected = {"sunspots": "year,sunactivity", "co2": "date,co2"}[name]
    if header != expected:
        raise ValueError(f"{path}: header {lines[0]!r}, expected {expected!r}")
    time, values = [], []
    for number, line in enumerate(lines[1:], start=2):
        key, _, value = line.strip().partition(",")
        try:
            t = float(key) if name == "sunspots" else _decimal_year(key)
            values.append(float(value) if value.strip() else np.nan)
        except ValueError as err:
            raise ValueError(f"{path}, line {number}: {line!r} ({err})") from err
        time.append(t)
    time, values = np.array(time), np.array(values)
    missing = np.isnan(values)
    if missing.all() or np.any(np.diff(time) <= 0):
        raise ValueError(f"{path}: no values, or time not increasing")
    values[missing] = np.interp(time[missing], time[~missing], values[~missing])
    if name == "sunspots":
        unit = "yearly mean sunspot number"
        desc = (f"yearly sunspot numbers {time[0]:.0f}-{time[-1]:.0f} (NOAA NGDC, public domain), "
                f"{len(values)} values, bundled with statsmodels {version}")
    else:
        unit = "CO2 (ppm)"
        desc = (f"weekly Mauna Loa CO2 {int(time[0])}-{int(time[-1])} (Keeling and Whorf), "
                f"{len(values):,} values ({missing.sum()} missing filled by interpolation), "
                f"bundled with statsmodels {version}")
    return TimeSeries(name, time, values, unit, "local", desc)


def _decimal_year(yyyymmdd):
    import datetime

    date = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    return date.year + (date.timetuple().tm_yday - 1) / 365.25


def _generated_series(name, seed=0):
    rng = np.random.default_rng(seed)
    if name == "sunspots":
        time = np.arange(1700.0, 2009.0)
        values = np.zeros(len(time))
        start = 0.0
        while start < len(time):  # cycles of 9-13 years: fast rise, slow decay, random height
            length, height = rng.uniform(9, 13), rng.uniform(40, 190)
            phase = (np.arange(len(time)) - start) / length
            inside = (phase >= 0) & (phase < 1)
            shape = np.where(phase < 0.35, np.sin(np.pi / 2 * phase / 0.35),
                             np.cos(np.pi / 2 * (phase - 0.35) / 0.65)) ** 2
            values[inside] = height * shape[inside]
            start += length
        values = np.round(np.clip(values + rng.normal(0, 6, len(time)), 0, None), 1)
        unit = "generated sunspot-like number"
        desc = (f"stand-in: GENERATED sunspot-like series {len(values)} values (11-year cycles of "
                f"random height plus noise; not real sunspots)")
    else:
        time = 1958.24 + np.arange(2284) / 52.18
        t = time - time[0]
        values = 315 + 0.8 * t + 0.012 * t ** 2 + 3 * np.sin(2 * np.pi * (time - 0.3))
        values = np.round(values + rng.normal(0, 0.4, len(t)), 1)
        unit = "generated CO2-like ppm"
        desc = (f"stand-in: GENERATED CO2-like weekly series {len(values):,} values (trend plus "
                f"yearly season plus noise; not real measurements)")
    return TimeSeries(name, time, values, unit, "standin", desc)
