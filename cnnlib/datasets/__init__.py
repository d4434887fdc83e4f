"""Every loader of the course, one notice format: ``cnnlib.datasets: <name> <- <source>``.

- :mod:`~cnnlib.datasets.images`: ``load_dataset`` (MNIST, Fashion-MNIST, CIFAR-10), chapters 1-8;
- :mod:`~cnnlib.datasets.sentences`: ``load_sentiment`` (labelled sentences), chapter 9;
- :mod:`~cnnlib.datasets.series`: ``load_time_series`` (sunspots, CO2), chapter 9;
- :mod:`~cnnlib.datasets.samples`: ``load_camvid`` (chapter 10), ``load_flickr8k_captions`` (11).

Each reads the course sample first (:mod:`cnnlib.course_sample` finds it), uses Keras only when
asked, and a stand-in (or None, for the samples) only when the sample cannot be reached; one
printed line says which.
"""

from cnnlib.datasets._source import SOURCES
from cnnlib.datasets.images import (CIFAR10, CLASS_NAMES, DATASETS, DIGITS, FASHION, TITLES,
                                    Dataset, load_dataset)
from cnnlib.datasets.samples import (CAMVID_CLASSES, CAMVID_VOID, CamVid, Flickr8k,
                                     load_camvid, load_flickr8k_captions)
from cnnlib.datasets.sentences import SENTIMENT, UCI_FILES, TextDataset, load_sentiment
from cnnlib.datasets.series import SERIES, SERIES_SOURCES, TimeSeries, load_time_series

__all__ = ["SOURCES", "CIFAR10", "CLASS_NAMES", "DATASETS", "DIGITS", "FASHION", "TITLES",
           "Dataset", "load_dataset", "CAMVID_CLASSES", "CAMVID_VOID", "CamVid", "Flickr8k",
           "load_camvid", "load_flickr8k_captions", "SENTIMENT", "UCI_FILES", "TextDataset",
           "load_sentiment", "SERIES", "SERIES_SOURCES", "TimeSeries", "load_time_series"]
