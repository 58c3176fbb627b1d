"""What every worker needs, imported once by the process that forks the workers.

The workers are forked from multiprocessing's fork server (see ``workers.start_pool``), which
imports this module as it starts: every worker then begins with the analysis stack, papermill,
IPython and Sphinx already imported and matplotlib's fonts read, instead of importing them
itself (2 CPU-seconds each, paid again by every worker of a pool). The imported objects are
frozen out of the garbage collector's sight, so that the forked workers keep sharing their
pages with the fork server instead of copying every page a collection touches.

Importing this module has those effects and no others: it starts no thread (the fork server
forks), opens no file it keeps, reads no input, and leaves matplotlib's settings alone: the book's
theme (``kansrijk.figures``) is applied in the worker's shell after its inline backend, as in a
kernel (``tests/test_inprocess.py`` compares the figures).
"""

from __future__ import annotations

import gc
import io

import matplotlib

matplotlib.use("Agg")  # the fork server draws once to read the fonts; a worker's shell sets its own backend

import matplotlib.pyplot
import myst_nb  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import pandera  # noqa: F401
import papermill  # noqa: F401
import scipy.stats  # noqa: F401
import seaborn  # noqa: F401
import sphinx.application
import sphinx.ext.intersphinx  # noqa: F401
import sphinx_book_theme  # noqa: F401
import sphinx_comments  # noqa: F401
import sphinx_copybutton  # noqa: F401
import sphinx_design  # noqa: F401
import sphinx_external_toc  # noqa: F401
import sphinx_jupyterbook_latex  # noqa: F401
import sphinx_multitoc_numbering  # noqa: F401
import sphinx_thebe  # noqa: F401
import sphinx_togglebutton  # noqa: F401
import statsmodels.api  # noqa: F401
from jupyter_book import sphinx as _jupyter_book  # noqa: F401
from myst_nb import sphinx_ext as _myst_nb  # noqa: F401

import kansrijk.chapter
import kansrijk.disclosure.audit
import kansrijk.disclosure.plan
import kansrijk.palette
import kansrijk.pipeline.check
import kansrijk.pipeline.inprocess
import kansrijk.show
import kansrijk.story
import kansrijk.tables
import kansrijk.validation  # noqa: F401

_figure = matplotlib.pyplot.figure()
_figure.text(0, 0, "Kansrijk")
_figure.savefig(io.BytesIO(), format="png")
matplotlib.pyplot.close(_figure)
del _figure
gc.freeze()
