"""The one Jinja environment factory for everything Redress renders.

The review section, the inbox's pages and the printable invitation cards
all render Redress's templates; a theme's ``templates/redress/…`` must win
in each of them the same way. So there is one loader order (Pelican's own:
``THEME_TEMPLATES_OVERRIDES``, the theme, Pelican's ``simple`` theme and the
``!theme/`` and ``!simple/`` prefixes, then Redress's templates last), one
set of options (the site's ``JINJA_ENVIRONMENT``, filters, globals and tests,
with autoescaping always on because pages carry customer text) and one way
to install a language's catalog.

Redress's strings always come from Redress's own catalog, whatever the site
does with gettext: i18n_subsites installs the *theme's* catalog, new-style,
into Pelican's environment, never into this one. When the review pages sit
inside the site's theme (:func:`theme_layout`), the theme's own strings
("Home", "Archives") still come from the theme's catalog, as on the blog.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
import pelican
from babel.messages.pofile import read_po
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)
from jinja2.runtime import Context
from jinja2.utils import pass_context
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from .i18n import TRANSLATIONS_DIR, translations

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
SIMPLE_THEME_TEMPLATES = Path(pelican.__file__).parent / "themes" / "simple" / "templates"


#: The settings that choose and configure templates; all a worker process needs.
TEMPLATE_SETTINGS = (
    "THEME",
    "THEME_TEMPLATES_OVERRIDES",
    "JINJA_ENVIRONMENT",
    "JINJA_FILTERS",
    "JINJA_GLOBALS",
    "JINJA_TESTS",
)


def render(template: jinja2.Template, context: Mapping[str, Any], **names: Any) -> str:
    """``template.render(context, **names)``, with the context copied once instead of twice.

    Jinja's ``render`` copies its arguments into a dictionary, then that
    dictionary again with the template's globals (``new_context``); a site's
    context has some 170 names, and a first build of 10,000 reviews renders
    25,000 templates with it. Here the one dictionary, globals first as
    Jinja makes it, is given to ``new_context`` as it is (``shared``), and
    an error in the template is reported as ``render`` reports it.
    """
    if template.environment.is_async:
        return template.render(context, **names)
    parent = {**template.globals, **context, **names}
    try:
        return template.environment.concat(
            template.root_render_func(template.new_context(parent, shared=True))
        )
    except Exception:
        template.environment.handle_exception()


def template_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {key: settings[key] for key in TEMPLATE_SETTINGS if key in settings}


def theme_templates(settings: Mapping[str, Any]) -> str | None:
    """The theme's own ``templates/`` folder, if the site names a theme that has one."""
    theme = settings.get("THEME")
    if not theme:
        return None
    folder = os.path.join(os.path.expanduser(str(theme)), "templates")
    return folder if os.path.isdir(folder) else None


def loader(settings: Mapping[str, Any]) -> ChoiceLoader:
    """Pelican's loader order with Redress's own templates as the last fallback."""
    theme = theme_templates(settings)
    folders = [str(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", []) or []]
    if theme:
        folders.append(theme)
    simple = FileSystemLoader(str(SIMPLE_THEME_TEMPLATES))
    prefixes: dict[str, Any] = {"!simple": simple}
    if theme:
        prefixes["!theme"] = FileSystemLoader(theme)
    return ChoiceLoader(
        [
            FileSystemLoader([f for f in folders if os.path.isdir(f)]),
            simple,
            PrefixLoader(prefixes),
            FileSystemLoader(str(TEMPLATES_DIR)),
        ]
    )


def environment(settings: Mapping[str, Any], lang: str) -> Environment:
    """A template environment for one interface language.

    gettext is installed per environment, so each language gets its own.
    Templates do not change while a build or a command runs, so Jinja does
    not check their files again on every include.
    """
    options = dict(settings.get("JINJA_ENVIRONMENT") or {"trim_blocks": True, "lstrip_blocks": True})
    extensions = [*options.pop("extensions", []), "jinja2.ext.i18n"]
    theme_escapes = options.pop("autoescape", False)
    messages = catalog(settings, lang)
    env = RedressEnvironment(
        loader=loader(settings),
        autoescape=_escaping(theme_escapes),
        auto_reload=False,
        # The compiled templates have their catalog's words in them (see RedressEnvironment).
        bytecode_cache=bytecode_cache(
            settings,
            {**options, "extensions": extensions, "theme autoescape": _escaping_key(theme_escapes)},
            catalog_key(messages),
        ),
        extensions=list(dict.fromkeys(extensions)),
        **options,
    )
    env.filters.update(settings.get("JINJA_FILTERS") or {})
    env.globals.update(settings.get("JINJA_GLOBALS") or {})
    env.tests.update(settings.get("JINJA_TESTS") or {})
    # Must match the extraction in babel.cfg, or translations won't match.
    env.policies["ext.i18n.trimmed"] = True
    install_gettext(env, messages)
    return env


def _escaping_key(theme_escapes: Any) -> str:
    """The theme's escaping as the compiled templates' folder is named by it: what it says of
    the usual kinds of template, never a function's address (a new folder every build)."""
    if not callable(theme_escapes):
        return repr(bool(theme_escapes))
    names = ("base.html", "x.htm", "x.xml", "x.xhtml", "x.txt", "x.j2", "x.jinja", "x.svg")
    return repr([bool(theme_escapes(name)) for name in names])


def _escaping(theme_escapes: Any) -> Callable[[str | None], bool]:
    """Which templates escape what they print: Redress's own always (``redress/``, a theme's
    version of one included), the theme's own (its ``base.html`` and partials) as in the blog.

    A theme is written for Pelican's environment, which escapes nothing unless the
    site's JINJA_ENVIRONMENT says so: its footer's ``{% set credit = 'Theme <a …>' %}``,
    a SITENAME with ``<b>`` in it, came out as visible tags on the review pages only.
    """

    def escapes(name: str | None) -> bool:
        if name is None or name.startswith("redress/"):
            return True
        return bool(theme_escapes(name) if callable(theme_escapes) else theme_escapes)

    return escapes


def adopt_site_additions(env: Environment, site_env: Environment) -> None:
    """Give ``env`` what the site's plugins added to Pelican's own environment of a generator.

    Plugins set up the theme's environment when each generator starts
    (``generator_init``): pelican-webassets hangs its ``assets_environment``
    on it, others add filters, tests and globals. The theme's ``base.html``
    uses them on the review pages too (``{% assets %}`` stopped the build).
    Redress's own names stay its own.
    """
    pairs: list[tuple[dict[str, Any], Mapping[str, Any]]] = [
        (env.filters, site_env.filters),
        (env.tests, site_env.tests),
        (env.globals, site_env.globals),
    ]
    for mine, theirs in pairs:
        for name, value in theirs.items():
            mine.setdefault(name, value)
    # What an extension hangs on the environment (``extend``) and a plugin sets afterwards:
    # present on ours as None (the extension's default) or not at all. Jinja's own stay ours.
    jinja_own = _jinja_attributes()
    for name, value in vars(site_env).items():
        if name not in jinja_own and value is not None and getattr(env, name, None) is None:
            setattr(env, name, value)


@functools.cache
def _jinja_attributes() -> frozenset[str]:
    return frozenset(vars(Environment()))


#: Whether Redress's own templates get their words translated as they are compiled
#: (tests turn it off to compare with the words looked up as each page is rendered).
TRANSLATE_WHEN_COMPILED = True


def _text_escape() -> Any:
    """MarkupSafe's ``escape``, with its most common case made without a call in Python.

    Every value a template prints goes through ``escape`` (a million times
    in a first build of 10,000 reviews), and for text, nearly all of them,
    MarkupSafe 3 makes the escaped text a ``Markup`` through its own
    ``__new__``, which asks once more whether the text has ``__html__``.
    Made directly, it is the same ``Markup``; a card renders an eighth
    faster. Anything else goes to MarkupSafe's own, and so does everything
    where MarkupSafe has no C part of that name (MarkupSafe 2 escapes in C).
    """
    try:
        from markupsafe._speedups import _escape_inner
    except ImportError:
        return markupsafe_escape
    new_text = str.__new__

    def escape(value: Any) -> Markup:
        if type(value) is str:
            return new_text(Markup, _escape_inner(value))
        return markupsafe_escape(value)

    return escape


#: What Redress's compiled templates escape with (see :func:`_text_escape`).
escape = _text_escape()


class _Template(jinja2.Template):
    """A template whose compiled code escapes with :func:`escape`."""

    @classmethod
    def _from_namespace(cls, environment: Any, namespace: Any, globals: Any) -> Any:
        # The compiled module's own name for MarkupSafe's escape, which its render functions use.
        if namespace.get("escape") is markupsafe_escape and escape is not markupsafe_escape:
            namespace["escape"] = escape
        return super()._from_namespace(environment, namespace, globals)


class RedressEnvironment(Environment):
    """An environment whose own templates are compiled with their catalog's words in them.

    Why: Redress's templates ask for a translation some sixty times a page
    (``_("Verified buyer")``, each ``{% trans %}``), and Jinja looks each one
    up again on every render, through four Python calls. A first build of
    10,000 reviews renders 25,000 templates; the lookups were a quarter of
    rendering a card. The words cannot change while an environment lives:
    it has one language and one catalog (:func:`install_gettext`). So a
    message that is a plain text, with no values of its own, is put in the
    compiled template as its translation where that gives exactly what the
    lookup gives (see :func:`translated`). Messages with a count
    (``ngettext``) or a context are looked up as before. Only Redress's own
    template files are compiled so, and only without a site's ``finalize``
    (Jinja runs it on a printed constant after escaping it, on a value
    before). The compiled templates are kept under a name that covers this
    module, so a change to how they are compiled compiles them again.
    """

    #: The catalog of :func:`install_gettext`; None until one is installed.
    words: gettext_module.NullTranslations | None = None
    template_class = _Template

    def compile(
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if (
            isinstance(source, str)
            and self.words is not None
            and self.finalize is None
            and TRANSLATE_WHEN_COMPILED
            and _own(filename)
        ):
            try:
                return super().compile(  # type: ignore[call-overload]
                    translated(self.parse(source, name, filename), self.words),
                    name,
                    filename,
                    raw,
                    defer_init,
                )
            except TemplateSyntaxError as error:
                if error.source is None:
                    error.source = source  # as Jinja reports an error it finds compiling a text
                raise
        return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]


def _own(filename: str | None) -> bool:
    """Whether a template file is one of Redress's own (not a theme's or the site's version of it)."""
    return bool(filename) and os.path.abspath(str(filename)).startswith(str(TEMPLATES_DIR) + os.sep)


#: Jinja's names for the catalog's lookups (``_`` is ``gettext``), and the names Redress's own
#: templates call them by once compiled: globals of their own, which no theme or context
#: shadows, so Redress's strings always come from Redress's catalog (see :func:`install_gettext`).
_LOOKUPS = {
    "_": "redress_gettext",
    "gettext": "redress_gettext",
    "ngettext": "redress_ngettext",
    "pgettext": "redress_pgettext",
    "npgettext": "redress_npgettext",
}

#: Where a translation may stand as a constant: printed, passed to a call or a macro, put in a
#: dictionary, a list or a name. Never anywhere under a filter, a test or ``~``: Jinja works
#: out what is constant there as it compiles (with the filter of that moment, and ``~`` joins
#: as plain text), so the call stays (see :data:`_WORKED_OUT_WHEN_COMPILED`).
_CONSTANT_PLACES = (
    nodes.Output,
    nodes.Call,
    nodes.Keyword,
    nodes.Pair,
    nodes.Assign,
    nodes.Tuple,
    nodes.List,
)
_WORKED_OUT_WHEN_COMPILED = (nodes.Filter, nodes.Test, nodes.Concat)


def translated(tree: nodes.Template, words: gettext_module.NullTranslations) -> nodes.Template:
    """``tree`` with ``_("text")`` and ``gettext("text")`` replaced by the text's translation.

    What the call would return as the page renders: :func:`install_gettext`'s
    ``gettext`` of a message with no values is the catalog's text, as it is,
    escaped where it is printed (see :data:`_CONSTANT_PLACES`). Around a
    ``{% trans %}`` Jinja marks the text safe if the page escapes at that
    moment: there the constant is marked safe or not as the page renders,
    unless it has nothing to escape and no values to format (then both are
    the same text). A template whose escaping is only known as it renders
    (``{% autoescape flag %}``) keeps every lookup, since Jinja escapes a
    printed constant as it compiles.

    Every lookup of the template calls Redress's catalog by a name of its
    own (:data:`_LOOKUPS`): a theme's template around Redress's, or the
    render's context, may give ``_`` or ``gettext`` a meaning of its own, and
    Redress's strings would otherwise come from it wherever they are not
    constants. A template that gives one of Jinja's names a value itself
    (``{% set _ = … %}``, a macro, an import, a loop or macro argument) is
    left whole.
    """
    for node in tree.find_all((nodes.Name, nodes.Macro, nodes.Import, nodes.FromImport)):
        if isinstance(node, nodes.Name):
            named = {node.name} if node.ctx != "load" else set()
        elif isinstance(node, nodes.Macro):
            named = {node.name}
        elif isinstance(node, nodes.Import):
            named = {node.target}
        else:
            names = getattr(node, "names", ())  # a FromImport's: "name" or ("name", "alias")
            named = {each if isinstance(each, str) else each[1] for each in names}
        if not named.isdisjoint(_LOOKUPS):
            return tree
    decided_as_compiled = all(
        isinstance(keyword.value, nodes.Const)
        for modifier in tree.find_all(nodes.EvalContextModifier)
        for keyword in modifier.options
    )
    _translate_children(tree, words, decided_as_compiled)
    return tree


def _translate_children(
    parent: nodes.Node, words: gettext_module.NullTranslations, constants: bool = True
) -> None:
    """Translate the children of ``parent``; without ``constants``, only rename the lookups."""
    for field, value in parent.iter_fields():
        if isinstance(value, list):
            value[:] = [
                _translate(parent, child, words, constants) if isinstance(child, nodes.Node) else child
                for child in value
            ]
        elif isinstance(value, nodes.Node):
            setattr(parent, field, _translate(parent, value, words, constants))


def _translate(
    parent: nodes.Node, node: nodes.Node, words: gettext_module.NullTranslations, constants: bool
) -> nodes.Node:
    """``node`` (a child of ``parent``) translated where it is a plain message, its children too."""
    _translate_children(node, words, constants and not isinstance(node, _WORKED_OUT_WHEN_COMPILED))
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in _LOOKUPS:
        node.node = nodes.Name(
            _LOOKUPS[node.node.name], "load", lineno=node.node.lineno, environment=node.node.environment
        )
    if not constants:
        return node
    if isinstance(node, nodes.MarkSafeIfAutoescape):
        text = _plain_message(node.expr, words)
        env = node.environment
        if text is None or env is None:
            return node
        made = nodes.Const(text, lineno=node.lineno, environment=node.environment)
        if not isinstance(parent, nodes.Mod) and str(markupsafe_escape(text)) == text:
            node.expr = made  # nothing to escape or format: Markup or not, the same text
            return node
        # Markup if the page escapes as it renders, else the text (what Jinja's own node does).
        escaping = nodes.Getattr(
            nodes.Getattr(nodes.ContextReference(), "eval_ctx", "load"), "autoescape", "load"
        )
        safe = nodes.MarkSafe(nodes.Const(text))
        return nodes.CondExpr(escaping, safe, made, lineno=node.lineno).set_environment(env)
    if isinstance(parent, _CONSTANT_PLACES):
        text = _plain_message(node, words)
        if text is not None:
            return nodes.Const(text, lineno=node.lineno, environment=node.environment)
    return node


def _plain_message(node: nodes.Node, words: gettext_module.NullTranslations) -> str | None:
    """The translation of ``node`` if it asks for one of a plain text (one constant, no values)."""
    if (
        isinstance(node, nodes.Call)
        and isinstance(node.node, nodes.Name)
        and node.node.name == _LOOKUPS["gettext"]
        and len(node.args) == 1
        and isinstance(node.args[0], nodes.Const)
        and isinstance(node.args[0].value, str)
        and not node.kwargs
        and node.dyn_args is None
        and node.dyn_kwargs is None
    ):
        return str(words.gettext(node.args[0].value))
    return None


def catalog_key(words: gettext_module.NullTranslations) -> str:
    """What a catalog (and those behind it) translates, as a short digest.

    Compiled templates have their catalog's words in them, so the folder
    they are kept in is named by it too: a site that changes its language,
    or a catalog that gains a translation, compiles them again.
    """
    parts: list[Any] = []
    pending: list[Any] = [words]
    while pending:
        each = pending.pop()
        if each is None:
            continue
        parts.append(type(each).__qualname__)
        parts.append(sorted(getattr(each, "_catalog", {}).items(), key=repr))
        if isinstance(each, _ThemeFallback):
            parts.append(sorted(each.ours))
            pending += [each.own, each.theme]
        pending.append(getattr(each, "_fallback", None))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """A bytecode cache that never fails a page: a folder it cannot write to only costs speed."""

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass

    def load_bytecode(self, bucket: Any) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()


def bytecode_cache(
    settings: Mapping[str, Any], options: Mapping[str, Any], words: str
) -> FileSystemBytecodeCache | None:
    """Compiled templates kept in the site's cache folder, when the site has one.

    Compiling Redress's templates takes about 0.4 s, a large part of a
    rebuild after one new response. Jinja checks each template's source
    against what it compiled, but not the options it was compiled with
    (``trim_blocks``, extensions), the catalog whose words are compiled in
    (``words``, see :func:`catalog_key`) or the code that compiles them
    (:func:`_compiled_by`): those name the folder. Only a cache folder the
    site already has is used: a command never creates one.
    """
    folder = settings.get("CACHE_PATH")
    if not folder or not settings.get("REVIEWS_CACHE", True) or not os.path.isdir(folder):
        return None
    how = hashlib.sha256(
        repr(
            (
                jinja2.__version__,
                sorted(options.items(), key=str),
                words,
                TRANSLATE_WHEN_COMPILED,
                _compiled_by(),
            )
        ).encode()
    ).hexdigest()
    target = os.path.join(folder, f"redress-templates-{how[:12]}")
    try:
        os.makedirs(target, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(target)


@functools.cache
def _compiled_by() -> str:
    """This module's own fingerprint: how Redress compiles its templates is part of what they are."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def jinja_environment_setting(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``JINJA_ENVIRONMENT`` as a template rendered here sees it: with the i18n extension.

    Some themes (Flex among them) define their own ``_`` macro when the
    site's settings lack the extension; in a page rendered here that macro
    would shadow Redress's catalog and leave its strings untranslated.
    """
    options = dict(settings.get("JINJA_ENVIRONMENT") or {})
    options["extensions"] = list(dict.fromkeys([*options.get("extensions", []), "jinja2.ext.i18n"]))
    return options


# -- gettext ---------------------------------------------------------------------------------


@functools.cache
def redress_messages() -> frozenset[str]:
    """Every message Redress's templates translate (the singular of a plural), from its catalogs."""
    ids: set[str] = set()
    for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    ids.add(message.id if isinstance(message.id, str) else message.id[0])
    return frozenset(ids)


class _ThemeFallback(gettext_module.NullTranslations):
    """Redress's messages from Redress's catalog, any other from the theme's.

    Chosen by the message, not by whether a catalog has a translation: in an
    English page of a French site, "Reviews" is Redress's word and stays
    English, while the theme's "Home" comes out as the theme's French.
    """

    def __init__(self, own: gettext_module.NullTranslations, theme: gettext_module.NullTranslations):
        super().__init__()
        self.own = own
        self.theme = theme
        self.ours = redress_messages()

    def _for(self, message: str) -> gettext_module.NullTranslations:
        return self.own if message in self.ours else self.theme

    def gettext(self, message: str) -> str:
        return self._for(message).gettext(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._for(msgid1).ngettext(msgid1, msgid2, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._for(message).pgettext(context, message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._for(msgid1).npgettext(context, msgid1, msgid2, n)


def theme_catalog(settings: Mapping[str, Any]) -> gettext_module.NullTranslations | None:
    """The theme's own catalog for the site's language, found as i18n_subsites finds it.

    Only when the site translates its templates (``jinja2.ext.i18n`` in its
    ``JINJA_ENVIRONMENT``): then ``I18N_GETTEXT_LOCALEDIR`` (default: the
    theme's ``translations/``) and ``I18N_GETTEXT_DOMAIN`` (default
    ``messages``) hold it.
    """
    extensions = (settings.get("JINJA_ENVIRONMENT") or {}).get("extensions", [])
    theme = settings.get("THEME")
    lang = settings.get("DEFAULT_LANG")
    if "jinja2.ext.i18n" not in extensions or not theme or not lang:
        return None
    folder = settings.get("I18N_GETTEXT_LOCALEDIR") or os.path.join(str(theme), "translations")
    domain = settings.get("I18N_GETTEXT_DOMAIN") or "messages"
    try:
        return gettext_module.translation(domain, folder, [str(lang)])
    except OSError:
        return None


def catalog(settings: Mapping[str, Any], lang: str) -> gettext_module.NullTranslations:
    """Redress's catalog for ``lang``, with the theme's catalog behind it if the site has one."""
    own = translations(lang)
    theme = theme_catalog(settings)
    return _ThemeFallback(own, theme) if theme is not None else own


def install_gettext(env: Environment, messages: gettext_module.NullTranslations) -> None:
    """Install a catalog old-style, with calls in the new style understood too.

    Redress's templates are old-style: ``_("%(count)s of %(max)s")`` is a
    text for the browser, not a format (new-style gettext raises
    ``KeyError: 'count'`` on it). A theme's ``base.html`` rendered here may
    be new-style: ``_("Page %(num)s", num=2)`` is formatted, with escaping,
    as new-style gettext would.
    """

    def formatted(context: Context, text: str, variables: dict[str, Any]) -> str:
        if not variables:
            return text
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    @pass_context
    def gettext(context: Context, message: str, /, **variables: Any) -> str:
        return formatted(context, messages.gettext(message), variables)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int, /, **variables: Any) -> str:
        return formatted(context, messages.ngettext(singular, plural, n), variables)

    @pass_context
    def pgettext(context: Context, where: str, message: str, /, **variables: Any) -> str:
        return formatted(context, messages.pgettext(where, message), variables)

    @pass_context
    def npgettext(
        context: Context, where: str, singular: str, plural: str, n: int, /, **variables: Any
    ) -> str:
        return formatted(context, messages.npgettext(where, singular, plural, n), variables)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=False, pgettext=pgettext, npgettext=npgettext
    )
    # The same lookups under the names Redress's own compiled templates call them by (see _LOOKUPS).
    env.globals.update(
        redress_gettext=gettext,
        redress_ngettext=ngettext,
        redress_pgettext=pgettext,
        redress_npgettext=npgettext,
    )
    if isinstance(env, RedressEnvironment):
        if env.words is not None and env.words is not messages:
            # Templates compiled with the first catalog's words in them are compiled
            # again, and no longer kept on disk (their folder is named by the first).
            env.bytecode_cache = None
            if env.cache is not None:
                env.cache.clear()
        env.words = messages


# -- the site theme's layout -----------------------------------------------------------------

#: Where a theme's ``base.html`` may take a page's title, its head extras and
#: its content, in order of preference. Pelican's ``simple`` theme has
#: ``title``/``head``/``content``, ``notmyidea`` adds ``extra_head``, Flex has
#: ``title``/``meta``/``content`` and no head block at all.
TITLE_BLOCKS = ("title",)
HEAD_BLOCKS = ("extra_head", "head_extra", "extrahead", "head", "meta")
#: A theme's own pages replace these rather than add to them (Flex's ``meta``
#: holds the site's description and Open Graph tags).
REPLACED_HEAD_BLOCKS = ("meta",)
CONTENT_BLOCKS = ("content", "main", "body_content")

_TITLE_BEFORE_BLOCK = re.compile(
    r"<title[^>]*>(?P<before>(?:(?!</title>).)*?)\{%-?\s*block\s+title\b", re.S | re.I
)
_MAIN_ELEMENT = re.compile(r"<main[\s>]", re.I)
_SITENAME_RE = re.compile(r"\{\{-?\s*SITENAME\b")
#: The theme's text before its title block ends with its own separator: "Shop | ", "Shop - ".
_SEPARATOR_AT_END = re.compile(r"(?:[-–—|·•:»/~]|&[a-z]+;|&#\d+;)$")


@dataclass(frozen=True)
class ThemeLayout:
    """Where Redress's page parts go in the site theme's ``base.html`` (``redress/in_theme.html``)."""

    #: The theme's block for the window title, or "" (the theme's own title stays).
    title: str
    #: The theme writes text before its title block (Flex: ``{{ SITENAME }}{% block title %}``):
    #: Redress's title follows it after a dash, or after the theme's own separator
    #: (``{{ SITENAME }} | {% block title %}``), never after two.
    title_suffix: bool
    #: What the theme writes before its title block names the site (``{{ SITENAME }}``): the
    #: shop's own listing is then titled "Reviews", not "De Bonenbus – Reviews of De Bonenbus".
    title_names_site: bool
    #: The theme's block for head extras, or "" (they are moved before its ``</head>``, see
    #: :func:`redress.site.output.moved_into_head`).
    head: str
    #: Redress's head things replace that block's own (as the theme's pages do) instead of
    #: following them.
    head_replaces: bool
    #: The theme's block for the page's content.
    content: str
    #: The element around Redress's part: "div" when the theme has its own ``<main>``.
    region: str

    def as_context(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_suffix": self.title_suffix,
            "title_names_site": self.title_names_site,
            "head": self.head,
            "head_replaces": self.head_replaces,
            "content": self.content,
            "region": self.region,
        }


def theme_base(settings: Mapping[str, Any]) -> str | None:
    """The site theme's own ``base.html``: in THEME_TEMPLATES_OVERRIDES or the theme's templates.

    Pelican's ``simple`` fallback and Redress's own templates do not count:
    a site whose theme has no ``base.html`` gets Redress's standalone layout.
    """
    folders = [str(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES", []) or []]
    theme = theme_templates(settings)
    if theme:
        folders.append(theme)
    for folder in folders:
        path = os.path.join(folder, "base.html")
        if os.path.isfile(path):
            return path
    return None


def _sources(
    env: Environment, name: str, seen: set[str], fillable: bool = True
) -> Iterator[tuple[str, nodes.Template, bool]]:
    """A template, the templates it extends and those it includes, each once, parsed; and
    whether a page can fill its blocks. A block in an included template is rendered as the
    include has it: a page that extends ``base.html`` cannot fill it."""
    if name in seen:
        return
    seen.add(name)
    try:
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    except TemplateNotFound:
        return
    tree = env.parse(source)
    yield source, tree, fillable
    for node in tree.find_all((nodes.Extends, nodes.Include)):
        template = getattr(node, "template", None)
        if isinstance(template, nodes.Const) and isinstance(template.value, str):
            yield from _sources(env, template.value, seen, fillable and isinstance(node, nodes.Extends))


def theme_layout(env: Environment, settings: Mapping[str, Any]) -> ThemeLayout | None:
    """How Redress's pages fit the site theme's ``base.html``, or None when they cannot.

    The blocks are read from the theme's templates (the ``base.html`` and
    what it extends), not guessed from the theme's name. Without a block for
    the content there is no place for the reviews: None, with a warning.
    """
    path = theme_base(settings)
    if path is None:
        return None
    blocks: list[str] = []
    included: list[str] = []  # blocks of included templates, which no page can fill
    title_suffix = title_separated = title_names_site = False
    has_main = False
    sources: list[str] = []  # of the templates a page can fill
    for source, tree, fillable in _sources(env, "base.html", set()):
        for block in tree.find_all(nodes.Block):
            (blocks if fillable else included).append(block.name)
        if fillable:
            sources.append(source)
        found = _TITLE_BEFORE_BLOCK.search(source)
        before = re.sub(r"\{#.*?#\}", "", found["before"]).strip() if fillable and found else ""
        if before:
            title_suffix = True
            title_separated = bool(_SEPARATOR_AT_END.search(before))
            title_names_site = bool(_SITENAME_RE.search(before))
        has_main = has_main or bool(_MAIN_ELEMENT.search(source))
    content = next((name for name in CONTENT_BLOCKS if name in blocks), "")
    if not content:
        logger.warning(
            "reviews: the theme's %s has no block for the page content (%s)%s; the review pages "
            'use Redress\'s own layout (set REVIEWS_LAYOUT = "standalone" to say so)',
            path,
            ", ".join(CONTENT_BLOCKS),
            _only_included(CONTENT_BLOCKS, included),
        )
        return None
    head = next((name for name in HEAD_BLOCKS if name in blocks), "")
    if not head:
        # Nothing for the shop owner to do: the page writer puts them before the theme's </head>.
        logger.info(
            "reviews: the theme's %s has no block for head extras (%s)%s; the review pages put "
            "theirs just before its </head>",
            path,
            ", ".join(HEAD_BLOCKS),
            _only_included(HEAD_BLOCKS, included),
        )
    title = next((name for name in TITLE_BLOCKS if name in blocks), "")
    return ThemeLayout(
        title=title,
        title_suffix=title_suffix and not title_separated,
        title_names_site=title_names_site,
        head=head,
        head_replaces=head in REPLACED_HEAD_BLOCKS,
        content=content,
        region="div" if has_main or not all(_main_fits(source, content) for source in sources) else "main",
    )


#: The elements a ``<main>`` may sit in (HTML's "hierarchically correct main element").
_MAIN_PARENTS = frozenset({"html", "body", "div", "form"})
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_JINJA_RE = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


class _OpenElements(HTMLParser):
    """The elements still open where the text fed ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]


def _main_fits(source: str, block: str) -> bool:
    """Whether a ``<main>`` put in ``block`` of the template ``source`` is valid where it sits.

    Attila puts its content block in a ``<section>``: a ``<main>`` there is
    invalid HTML and a landmark in the wrong place. The elements open before
    the block are read from the template, its Jinja tags left out.
    """
    found = re.search(r"\{%-?\s*block\s+" + re.escape(block) + r"\b", source)
    if found is None:
        return True
    parser = _OpenElements()
    parser.feed(_JINJA_RE.sub("", source[: found.start()]))
    return all(tag in _MAIN_PARENTS for tag in parser.open)


def _only_included(names: tuple[str, ...], included: list[str]) -> str:
    """Words for a warning: the blocks of ``names`` the theme has only in an included template."""
    found = [name for name in names if name in included]
    if not found:
        return ""
    return f" that a page can fill ({', '.join(found)} is in an included template, which a page cannot fill)"


def choose_layout(env: Environment, settings: Mapping[str, Any], requested: str | None) -> ThemeLayout | None:
    """The layout of the review pages: the theme's (a :class:`ThemeLayout`) or standalone (None).

    ``requested`` is REVIEWS_LAYOUT: "standalone", "theme", or None for the
    theme's layout whenever the theme has a ``base.html``.
    """
    if requested == "standalone":
        return None
    if requested == "theme" and theme_base(settings) is None:
        logger.warning(
            'reviews: REVIEWS_LAYOUT is "theme", but the theme %s has no templates/base.html; '
            "the review pages use Redress's own layout",
            settings.get("THEME"),
        )
        return None
    return theme_layout(env, settings)
