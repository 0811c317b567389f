/**
 * What crossdock knows about Python distributions for import-based rules: the import names of common packages,
 * which heavy native packages they need, the standard library. Data only; the rules that use it stay silent for
 * any package not listed here.
 */

/**
 * Heavy native packages worth removing when nothing imports them (`imports`: the package's own top-level modules,
 * then those its own dependencies install that may need it, such as keras for tensorflow: importing any of them is
 * a use), with what they cost on arm64. Chosen for size and
 * build cost, not popularity: each is tens to hundreds of MB installed, and a version without an aarch64 wheel
 * builds from source under emulation (C++/Fortran/CUDA toolchains, hours under QEMU). numpy and pandas are not
 * listed: they are modest (tens of MB, aarch64 wheels for every current version) and so many packages require them
 * that "nothing imports it" rarely means "nothing needs it".
 */
export const HEAVY_IMPORTS: Record<string, { imports: string[]; cost: string }> = {
  torch: {
    imports: ['torch', 'functorch', 'torchgen'],
    cost: 'the aarch64 wheel is over 100 MB and installs several hundred MB (on amd64 PyPI torch also pulls about 2 GB of CUDA libraries); a version without an aarch64 wheel compiles for hours under QEMU',
  },
  torchvision: {
    imports: ['torchvision'],
    cost: 'it requires torch (several hundred MB installed on arm64, with CUDA libraries on amd64)',
  },
  torchaudio: {
    imports: ['torchaudio'],
    cost: 'it requires torch (several hundred MB installed on arm64, with CUDA libraries on amd64)',
  },
  tensorflow: {
    imports: ['tensorflow', 'keras', 'tf_keras', 'tensorboard'],
    cost: 'it installs over 500 MB, and versions before 2.10 publish no aarch64 wheel, so pip builds it from source (Bazel, hours; under QEMU it rarely finishes)',
  },
  'tensorflow-cpu': {
    imports: ['tensorflow', 'keras', 'tf_keras', 'tensorboard'],
    cost: 'it installs several hundred MB, and arm64 wheels exist only for recent versions (older ones build from source with Bazel)',
  },
  onnxruntime: {
    imports: ['onnxruntime'],
    cost: 'a native runtime of tens of MB; a version without an aarch64 wheel builds from source with CMake, for hours under QEMU',
  },
  'opencv-python': {
    imports: ['cv2'],
    cost: 'a 40–60 MB native wheel; without an aarch64 wheel for the Python version pip compiles OpenCV, which takes hours under QEMU',
  },
  'opencv-python-headless': {
    imports: ['cv2'],
    cost: 'a 40–50 MB native wheel; without an aarch64 wheel for the Python version pip compiles OpenCV, which takes hours under QEMU',
  },
  'opencv-contrib-python': {
    imports: ['cv2'],
    cost: 'a 50–70 MB native wheel; without an aarch64 wheel for the Python version pip compiles OpenCV, which takes hours under QEMU',
  },
  'opencv-contrib-python-headless': {
    imports: ['cv2'],
    cost: 'a 50–70 MB native wheel; without an aarch64 wheel for the Python version pip compiles OpenCV, which takes hours under QEMU',
  },
  scipy: {
    imports: ['scipy'],
    cost: 'a 30–40 MB wheel; a version without an aarch64 wheel for the Python version builds with a Fortran compiler and BLAS, for an hour or more under QEMU',
  },
};

/**
 * Packages known to require (or use when installed) a heavy package: when one of them is installed, the heavy
 * package is not unused even if no file imports it by name.
 */
export const HEAVY_DEPENDENTS: Record<string, string[]> = {
  torch: [
    'torchvision',
    'torchaudio',
    'torchtext',
    'sentence-transformers',
    'transformers',
    'accelerate',
    'peft',
    'timm',
    'ultralytics',
    'lightning',
    'pytorch-lightning',
    'torchmetrics',
    'easyocr',
    'openai-whisper',
    'diffusers',
    'kornia',
    'xformers',
    'vllm',
    'deepspeed',
    'torch-geometric',
    'open-clip-torch',
    'spacy-transformers',
    'bitsandbytes',
    'triton',
    'safetensors',
    'einops',
    'optimum',
    'speechbrain',
    'pyannote-audio',
    'flair',
    'stanza',
  ],
  tensorflow: [
    'keras',
    'tf-keras',
    'tensorflow-hub',
    'tensorflow-text',
    'tensorflow-addons',
    'tensorflow-datasets',
    'tensorflow-probability',
    'deepface',
    'mtcnn',
    'transformers',
    'tensorflowjs',
  ],
  onnxruntime: [
    'chromadb',
    'rembg',
    'insightface',
    'optimum',
    'fastembed',
    'faster-whisper',
    'rapidocr-onnxruntime',
    'unstructured-inference',
    'sentence-transformers',
    'txtai',
  ],
  cv2: [
    'ultralytics',
    'albumentations',
    'easyocr',
    'insightface',
    'mediapipe',
    'paddleocr',
    'deepface',
    'mtcnn',
    'imgaug',
    'rembg',
    'supervision',
    'layoutparser',
    'unstructured',
    'imutils',
    'doctr',
    'python-doctr',
    'retina-face',
    'scenedetect',
  ],
  scipy: [
    'scikit-learn',
    'statsmodels',
    'scikit-image',
    'gensim',
    'xgboost',
    'lightgbm',
    'catboost',
    'umap-learn',
    'hdbscan',
    'librosa',
    'pymc',
    'imbalanced-learn',
    'shap',
    'sentence-transformers',
    'tensorflow',
    'tensorflow-cpu',
    'seaborn',
    'pingouin',
    'torch-geometric',
    'scikit-optimize',
    'tsfresh',
    'pynndescent',
  ],
};

/**
 * Common packages known to require none of the heavy packages (their whole dependency tree) except those whose
 * `HEAVY_DEPENDENTS` entry lists them (scikit-learn needs scipy), with their import names. Names are PEP
 * 503-normalised. A package not listed may require a heavy one, so rules stay silent for it.
 */
export const LIGHT_PACKAGES: Record<string, string[]> = {
  flask: ['flask'],
  werkzeug: ['werkzeug'],
  jinja2: ['jinja2'],
  markupsafe: ['markupsafe'],
  itsdangerous: ['itsdangerous'],
  click: ['click'],
  blinker: ['blinker'],
  django: ['django'],
  djangorestframework: ['rest_framework'],
  fastapi: ['fastapi'],
  starlette: ['starlette'],
  uvicorn: ['uvicorn'],
  gunicorn: ['gunicorn'],
  pydantic: ['pydantic'],
  'pydantic-core': ['pydantic_core'],
  'pydantic-settings': ['pydantic_settings'],
  httpx: ['httpx'],
  httpcore: ['httpcore'],
  h11: ['h11'],
  anyio: ['anyio'],
  sniffio: ['sniffio'],
  idna: ['idna'],
  requests: ['requests'],
  urllib3: ['urllib3'],
  certifi: ['certifi'],
  'charset-normalizer': ['charset_normalizer'],
  aiohttp: ['aiohttp'],
  aiofiles: ['aiofiles'],
  'python-multipart': ['multipart', 'python_multipart'],
  'python-dotenv': ['dotenv'],
  pyyaml: ['yaml'],
  orjson: ['orjson'],
  ujson: ['ujson'],
  sqlalchemy: ['sqlalchemy'],
  alembic: ['alembic'],
  psycopg2: ['psycopg2'],
  'psycopg2-binary': ['psycopg2'],
  psycopg: ['psycopg'],
  'psycopg-binary': ['psycopg_binary'],
  asyncpg: ['asyncpg'],
  pymysql: ['pymysql'],
  mysqlclient: ['MySQLdb'],
  redis: ['redis'],
  celery: ['celery'],
  kombu: ['kombu'],
  boto3: ['boto3'],
  botocore: ['botocore'],
  s3transfer: ['s3transfer'],
  protobuf: ['google.protobuf'],
  grpcio: ['grpc'],
  'prometheus-client': ['prometheus_client'],
  structlog: ['structlog'],
  loguru: ['loguru'],
  rich: ['rich'],
  typer: ['typer'],
  tqdm: ['tqdm'],
  'python-dateutil': ['dateutil'],
  pytz: ['pytz'],
  tzdata: ['tzdata'],
  six: ['six'],
  attrs: ['attr', 'attrs'],
  packaging: ['packaging'],
  setuptools: ['setuptools', 'pkg_resources'],
  wheel: ['wheel'],
  pip: ['pip'],
  numpy: ['numpy'],
  pandas: ['pandas'],
  pillow: ['PIL'],
  pyarrow: ['pyarrow'],
  openai: ['openai'],
  anthropic: ['anthropic'],
  tiktoken: ['tiktoken'],
  jsonschema: ['jsonschema'],
  marshmallow: ['marshmallow'],
  gevent: ['gevent'],
  greenlet: ['greenlet'],
  websockets: ['websockets'],
  'websocket-client': ['websocket'],
  'python-jose': ['jose'],
  passlib: ['passlib'],
  bcrypt: ['bcrypt'],
  cryptography: ['cryptography'],
  pyjwt: ['jwt'],
  'email-validator': ['email_validator'],
  'sentry-sdk': ['sentry_sdk'],
  pymongo: ['pymongo', 'bson', 'gridfs'],
  motor: ['motor'],
  pika: ['pika'],
  paramiko: ['paramiko'],
  lxml: ['lxml'],
  beautifulsoup4: ['bs4'],
  markdown: ['markdown'],
  httptools: ['httptools'],
  uvloop: ['uvloop'],
  watchfiles: ['watchfiles'],
  'python-json-logger': ['pythonjsonlogger'],
  dnspython: ['dns'],
  tenacity: ['tenacity'],
  cachetools: ['cachetools'],
  toml: ['toml'],
  tomli: ['tomli'],
  filelock: ['filelock'],
  fsspec: ['fsspec'],
  sympy: ['sympy'],
  networkx: ['networkx'],
  mpmath: ['mpmath'],
  regex: ['regex'],
  joblib: ['joblib'],
  threadpoolctl: ['threadpoolctl'],
  'typing-extensions': ['typing_extensions'],
  'huggingface-hub': ['huggingface_hub'],
  tokenizers: ['tokenizers'],
  sentencepiece: ['sentencepiece'],
  nltk: ['nltk'],
  matplotlib: ['matplotlib', 'mpl_toolkits'],
  contourpy: ['contourpy'],
  cycler: ['cycler'],
  fonttools: ['fontTools'],
  kiwisolver: ['kiwisolver'],
  pyparsing: ['pyparsing'],
  'annotated-types': ['annotated_types'],
  'typing-inspection': ['typing_inspection'],
  exceptiongroup: ['exceptiongroup'],
  frozenlist: ['frozenlist'],
  multidict: ['multidict'],
  yarl: ['yarl'],
  aiosignal: ['aiosignal'],
  'async-timeout': ['async_timeout'],
  aiohappyeyeballs: ['aiohappyeyeballs'],
  propcache: ['propcache'],
  coloredlogs: ['coloredlogs'],
  humanfriendly: ['humanfriendly'],
  flatbuffers: ['flatbuffers'],
  'ml-dtypes': ['ml_dtypes'],
  'opt-einsum': ['opt_einsum'],
  'absl-py': ['absl'],
  termcolor: ['termcolor'],
  wrapt: ['wrapt'],
  h5py: ['h5py'],
  jmespath: ['jmespath'],
  zipp: ['zipp'],
  'importlib-metadata': ['importlib_metadata'],
  'python-slugify': ['slugify'],
  'text-unidecode': ['text_unidecode'],
  pyzmq: ['zmq'],
  psutil: ['psutil'],
  colorama: ['colorama'],
  tabulate: ['tabulate'],
  'uvicorn-worker': ['uvicorn_worker'],
  'flask-cors': ['flask_cors'],
  'flask-sqlalchemy': ['flask_sqlalchemy'],
  'gunicorn-worker': ['gunicorn_worker'],
  'httpx-sse': ['httpx_sse'],
  'starlette-exporter': ['starlette_exporter'],
  'google-auth': ['google.auth', 'google.oauth2'],
  'google-api-core': ['google.api_core'],
  'googleapis-common-protos': ['google.api', 'google.rpc', 'google.type'],
  'google-cloud-storage': ['google.cloud.storage'],
  'azure-storage-blob': ['azure.storage.blob'],
  'azure-identity': ['azure.identity'],
  opencensus: ['opencensus'],
  'opentelemetry-api': ['opentelemetry'],
  'opentelemetry-sdk': ['opentelemetry'],
  pytest: ['pytest', '_pytest'],
  'pytest-cov': ['pytest_cov'],
  'pytest-asyncio': ['pytest_asyncio'],
  coverage: ['coverage'],
  'scikit-learn': ['sklearn'],
  statsmodels: ['statsmodels'],
  seaborn: ['seaborn'],
  'scikit-image': ['skimage'],
  imageio: ['imageio'],
  tifffile: ['tifffile'],
  'lazy-loader': ['lazy_loader'],
  patsy: ['patsy'],
  black: ['black'],
  ruff: ['ruff'],
  mypy: ['mypy'],
  flake8: ['flake8'],
  isort: ['isort'],
  pylint: ['pylint'],
};

/** Top-level import names of the heavy packages and of packages that need them (beside `LIGHT_PACKAGES`). */
export const KNOWN_IMPORTS: Record<string, string[]> = {
  'scikit-learn': ['sklearn'],
  'scikit-image': ['skimage'],
  'sentence-transformers': ['sentence_transformers'],
  'open-clip-torch': ['open_clip'],
  'openai-whisper': ['whisper'],
  'pytorch-lightning': ['pytorch_lightning'],
  'tf-keras': ['tf_keras'],
  'tensorflow-hub': ['tensorflow_hub'],
  'tensorflow-text': ['tensorflow_text'],
  'tensorflow-addons': ['tensorflow_addons'],
  'tensorflow-datasets': ['tensorflow_datasets'],
  'tensorflow-probability': ['tensorflow_probability'],
  'pyannote-audio': ['pyannote'],
  'faster-whisper': ['faster_whisper'],
  'rapidocr-onnxruntime': ['rapidocr_onnxruntime'],
  'python-doctr': ['doctr'],
  'retina-face': ['retinaface'],
  'umap-learn': ['umap'],
  'imbalanced-learn': ['imblearn'],
  'scikit-optimize': ['skopt'],
  'torch-geometric': ['torch_geometric'],
  'spacy-transformers': ['spacy_transformers'],
  'unstructured-inference': ['unstructured_inference'],
};

/**
 * Import names of the Python standard library (sys.stdlib_module_names of CPython 3.11, which still lists the
 * modules 3.12 and 3.13 removed).
 */
export const PYTHON_STDLIB: ReadonlySet<string> = new Set(
  `
  __future__ __main__ _abc _aix_support _ast _asyncio _bisect _blake2 _bootsubprocess _bz2 _codecs _codecs_cn
  _codecs_hk _codecs_iso2022 _codecs_jp _codecs_kr _codecs_tw _collections _collections_abc _compat_pickle
  _compression _contextvars _crypt _csv _ctypes _curses _curses_panel _datetime _dbm _decimal _elementtree
  _frozen_importlib _frozen_importlib_external _functools _gdbm _hashlib _heapq _imp _io _json _locale _lsprof
  _lzma _markupbase _md5 _msi _multibytecodec _multiprocessing _opcode _operator _osx_support _overlapped
  _pickle _posixshmem _posixsubprocess _py_abc _pydecimal _pyio _queue _random _scproxy _sha1 _sha256 _sha3
  _sha512 _signal _sitebuiltins _socket _sqlite3 _sre _ssl _stat _statistics _string _strptime _struct
  _symtable _thread _threading_local _tkinter _tokenize _tracemalloc _typing _uuid _warnings _weakref
  _weakrefset _winapi _zoneinfo abc aifc antigravity argparse array ast asynchat asyncio asyncore atexit
  audioop base64 bdb binascii bisect builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs
  codeop collections colorsys compileall concurrent configparser contextlib contextvars copy copyreg crypt csv
  ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest email encodings ensurepip enum
  errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc genericpath getopt getpass
  gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib imaplib imghdr imp importlib inspect io
  ipaddress itertools json keyword lib2to3 linecache locale logging lzma mailbox mailcap marshal math
  mimetypes mmap modulefinder msilib msvcrt multiprocessing netrc nis nntplib nt ntpath nturl2path numbers
  opcode operator optparse os ossaudiodev pathlib pdb pickle pickletools pipes pkgutil platform plistlib
  poplib posix posixpath pprint profile pstats pty pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri
  random re readline reprlib resource rlcompleter runpy sched secrets select selectors shelve shlex shutil
  signal site smtpd smtplib sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl
  stat statistics string stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile
  telnetlib tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace
  traceback tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings
  wave weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib zoneinfo
`
    .trim()
    .split(/\s+/),
);

/** PEP 503 normalisation of a distribution name. */
export function normalizeDist(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The top-level import names of a distribution, when known. */
export function importsOf(dist: string): string[] | undefined {
  const d = normalizeDist(dist);
  const own = LIGHT_PACKAGES[d] ?? KNOWN_IMPORTS[d] ?? HEAVY_IMPORTS[d]?.imports;
  return own?.map((m) => m.split('.')[0] ?? m);
}

/**
 * Whether a distribution may need a heavy package (by its import name, e.g. `torch`, `cv2`): 'no' for a package
 * known to need none; 'yes' for a known dependent, or one whose name carries the heavy name (`torch-*`,
 * `*-onnxruntime`); 'unknown' otherwise.
 */
export function needsHeavy(dist: string, heavyImport: string): 'yes' | 'no' | 'unknown' {
  const d = normalizeDist(dist);
  if ((HEAVY_DEPENDENTS[heavyImport] ?? []).includes(d)) return 'yes';
  const stem = heavyImport === 'cv2' ? 'opencv' : heavyImport;
  if (d.split('-').includes(stem) || d.startsWith(stem)) return 'yes';
  if (d in LIGHT_PACKAGES || /^nvidia-/.test(d)) return 'no';
  // The heavy packages need none of the others (tensorflow's need of scipy is listed above).
  if (HEAVY_IMPORTS[d]) return 'no';
  return 'unknown';
}

/** Top-level import names of `LIGHT_PACKAGES` that need no heavy package wherever they are installed from. */
const LIGHT_IMPORTS = new Set(
  Object.entries(LIGHT_PACKAGES).flatMap(([dist, names]) =>
    (HEAVY_IMPORTS[dist] || Object.values(HEAVY_DEPENDENTS).some((d) => d.includes(dist)) ? [] : names).map(
      (n) => n.split('.')[0] ?? n,
    ),
  ),
);

/** An import name of a package known to need no heavy package (`yaml`, `flask`), wherever it comes from. */
export function isLightImport(top: string): boolean {
  return LIGHT_IMPORTS.has(top);
}
