"""Writing: list, create, preview, edit and delete pages and posts. Every view needs a login."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from . import content
from .auth import login_required
from .markup import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


class EntryForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField("Slug", validators=[Optional(), Length(max=80)],
                       description="Part of the address; made from the title when left empty.")
    body = TextAreaField("Text (Markdown)", render_kw={"rows": 16})
    status = RadioField("Status", choices=[SelectChoice("draft", "Draft"), SelectChoice("published", "Published")], default="draft")
    preview = SubmitField("Preview")
    save = SubmitField("Save")


class DeleteForm(FlaskForm):
    """Only its CSRF token."""


@bp.before_request
@login_required
def require_login():
    """Every admin view needs a logged-in user (login_required redirects the others)."""


@bp.get("/")
def index():
    return render_template("admin/index.html", entries=content.all_entries(), delete_form=DeleteForm())


def _edit(form, kind, current=None):
    """Save or preview a submitted form: a redirect once saved, else the form (again) and its status."""
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = render(form.body.data or "")  # sanitized, like every entry's body_html
        else:
            try:
                if current is None:
                    saved = content.create(kind, form.title.data, form.slug.data, form.body.data or "", form.status.data)
                else:
                    saved = content.update(current, form.title.data, form.slug.data, form.body.data or "",
                                           form.status.data)
            except content.InvalidEntry as invalid:
                for field, message in invalid.errors.items():
                    getattr(form, field).errors = [*getattr(form, field).errors, message]
            else:
                flash(f"Saved \"{saved['title']}\" ({saved['status']}).", "info")
                return redirect(url_for("admin.index"))
    status = 400 if request.method == "POST" and preview is None else 200
    return render_template("admin/edit.html", form=form, kind=kind, entry=current, preview=preview), status


@bp.route("/new/<kind>", methods=("GET", "POST"))
def create(kind):
    if kind not in content.KINDS:
        abort(404)
    return _edit(EntryForm(), kind)


@bp.route("/<int:entry_id>/edit", methods=("GET", "POST"))
def edit(entry_id):
    current = content.get(entry_id)
    if current is None:
        abort(404)
    form = EntryForm(data=current) if request.method == "GET" else EntryForm()
    return _edit(form, current["kind"], current)


@bp.post("/<int:entry_id>/delete")
def delete(entry_id):
    if not DeleteForm().validate_on_submit():
        abort(400)
    current = content.get(entry_id)
    if current is None:
        abort(404)
    content.delete(entry_id)
    flash(f"Deleted \"{current['title']}\".", "info")
    return redirect(url_for("admin.index"))
