"""Data: upload an export, check the detected format and the proposed mapping, validate every row,
import it (all or nothing), and see or undo earlier imports. All logic lives in cxdata.ingest."""

import tempfile
from pathlib import Path

import streamlit as st

from cxdata import ui
from cxdata.export import safe_csv, safe_frame
from cxdata.ingest import KINDS, ImportRefused, import_file, propose_mapping, read_preview, suggested_kind, undo_import
from cxdata.ingest import fields as F
from cxdata.ingest import page as logic
from cxdata.ingest import profiles
from cxdata.ingest.api import previous_load

store = ui.get_store()
UPLOAD_DIR = Path(tempfile.gettempdir()) / "cx-uploads"
UPLOAD_DIR.mkdir(exist_ok=True)

st.title("Data")
st.caption(
    "Import the exports your tools produce, as they are: CSV or TSV (any delimiter, UTF-8, UTF-16 or "
    "Windows/Excel encoding), Excel .xlsx or Parquet; Qualtrics, SurveyMonkey and Zendesk exports are "
    "recognised. Nothing is written until you press Import, and every import can be undone."
)

if "ingest_done" in st.session_state:
    st.success(st.session_state.pop("ingest_done"), icon=":material/check_circle:")
if "ingest_failed" in st.session_state:
    st.error(st.session_state.pop("ingest_failed"), icon=":material/block:")

# -- 1. upload and preview ------------------------------------------------------------
uploaded = st.file_uploader(
    "Upload an export", type=["csv", "tsv", "txt", "xlsx", "parquet"], key="ingest_upload",
    help="The file is read on this computer only.",
)
preview = None
if uploaded is not None:
    upload_id = f"{uploaded.name}:{uploaded.size}:{getattr(uploaded, 'file_id', '')}"
    if st.session_state.get("ingest_upload_id") != upload_id:
        st.session_state.pop("ingest_report", None)
        replaced = st.session_state.get("ingest_preview")
        if replaced is not None:
            replaced.path.unlink(missing_ok=True)  # the previous upload's copy
        try:
            st.session_state["ingest_preview"] = read_preview(uploaded.getvalue(), uploaded.name, workdir=UPLOAD_DIR)
            st.session_state.pop("ingest_error", None)
        except ImportRefused as error:
            st.session_state.pop("ingest_preview", None)
            st.session_state["ingest_error"] = str(error)
        st.session_state["ingest_upload_id"] = upload_id
    if "ingest_error" in st.session_state:
        st.error(st.session_state["ingest_error"], icon=":material/block:")
    preview = st.session_state.get("ingest_preview")

if preview is not None:
    st.subheader("Preview")
    st.markdown(f"**Detected:** {preview.describe()} · {len(preview.columns)} columns · "
                f"{logic.human_size(preview.size_bytes)}")
    for note in preview.notes:
        st.info(note, icon=":material/info:")
    # defused: the table's own CSV download writes cells as they are
    st.dataframe(safe_frame(preview.rows), hide_index=True, height=240)

    # -- 2. kind and mapping ----------------------------------------------------------
    st.subheader("Mapping")
    guess = suggested_kind(preview)
    kind = st.selectbox(
        "What the file holds", KINDS, index=KINDS.index(guess) if guess in KINDS else 0,
        format_func=logic.KIND_LABELS.get, key=f"ingest_kind_{preview.sha256[:12]}",
    )
    earlier = previous_load(store, preview.sha256, kind)
    if earlier is not None:
        st.warning(
            f"This identical file was already imported as import #{earlier[0]} on {earlier[1]:%Y-%m-%d %H:%M}. "
            "Importing it again changes nothing; undo that import below to load it with another mapping.",
            icon=":material/content_copy:",
        )
    saved = profiles.list_profiles(store, kind)["name"].tolist()
    matching = profiles.matching_profile(store, preview.columns, kind)
    choices = ["(proposed from the column names)"] + saved
    chosen_profile = st.selectbox(
        "Start from a saved profile", choices, index=choices.index(matching) if matching in choices else 0,
        key=f"ingest_profile_{preview.sha256[:12]}_{kind}",
    )
    profile_name = chosen_profile if chosen_profile in saved else None
    proposal = propose_mapping(preview, kind, profiles.load_profile(store, profile_name) if profile_name else None)
    key = f"{preview.sha256[:12]}_{kind}_{profile_name or ''}"
    options = [logic.NOT_MAPPED] + [column.name for column in preview.columns]
    st.caption("Choose the file's column for each field; * marks required fields. "
               "Ids left unmapped are derived from the row, so re-importing does not duplicate.")
    columns_chosen = {}
    grid = st.columns(3)
    for position, field in enumerate(F.fields_of(kind)):
        current = proposal.columns.get(field.name, logic.NOT_MAPPED)
        with grid[position % 3]:
            columns_chosen[field.name] = st.selectbox(
                logic.field_label(field), options, index=options.index(current) if current in options else 0,
                format_func=lambda name: logic.column_label(preview, name), help=field.help or None,
                key=f"ingest_col_{key}_{field.name}",
            )
    with st.expander("Constants: one value for every row (fills empty cells of a mapped column)",
                     expanded=bool(proposal.constants)):
        constants = {}
        grid = st.columns(3)
        for position, field in enumerate(f for f in F.fields_of(kind) if not f.derived):
            with grid[position % 3]:
                constants[field.name] = st.text_input(
                    field.name, value=proposal.constants.get(field.name, ""), key=f"ingest_const_{key}_{field.name}",
                )
    ratings, scale, not_applicable = {}, (1.0, 5.0), ""
    if kind == "survey":
        with st.expander("Rating columns (wide exports: one column per touchpoint or attribute)",
                         expanded=bool(proposal.ratings)):
            rating_columns = st.multiselect(
                "Columns that rate a touchpoint or attribute", [c.name for c in preview.columns],
                default=[c for c in proposal.ratings if preview.column(c)], key=f"ingest_ratings_{key}",
            )
            scale_cols = st.columns(3)
            low = scale_cols[0].number_input("Scale min", value=float(proposal.ratings_scale.min), key=f"ingest_min_{key}")
            high = scale_cols[1].number_input("Scale max", value=float(proposal.ratings_scale.max), key=f"ingest_max_{key}")
            not_applicable = scale_cols[2].text_input(
                "Not applicable values", value=", ".join(str(v) for v in proposal.ratings_scale.not_applicable) or "0",
                help="Answers meaning 'does not apply', e.g. 0 or k.A.; they load no rating.", key=f"ingest_na_{key}",
            )
            scale = (low, high)
            for column in rating_columns:
                ratings[column] = st.text_input(
                    f"Attribute name for '{column}'", value=proposal.ratings.get(column, column),
                    key=f"ingest_attr_{key}_{column}",
                )
    try:
        mapping = logic.mapping_from_form(kind, columns_chosen, constants, ratings, scale, not_applicable,
                                          proposal.options)
    except ValueError as error:
        st.error(str(error))
        st.stop()

    profile_cols = st.columns([2, 1, 1])
    new_name = profile_cols[0].text_input("Save this mapping as a profile", value=profile_name or "",
                                          placeholder="e.g. Qualtrics NPS wave", key=f"ingest_save_name_{key}")
    if profile_cols[1].button("Save profile", key="ingest_save_profile", disabled=not new_name.strip()):
        try:
            profiles.save_profile(store, new_name, mapping)
            st.toast(f"Profile '{new_name.strip()}' saved.")
        except ValueError as error:
            st.error(str(error))
    profile_cols[2].download_button(
        "Download mapping (TOML)", mapping.to_toml().encode("utf-8"), file_name=f"{kind}-mapping.toml",
        mime="application/toml", key="ingest_download_toml",
    )

    # -- 3. validation report -----------------------------------------------------------
    st.subheader("Check")
    on_conflict = st.radio(
        "Rows already in the store with other values", ["update", "skip"], horizontal=True,
        format_func={"update": "Update them", "skip": "Keep the stored version"}.get, key="ingest_on_conflict",
    )
    redact = st.checkbox(
        "Remove e-mail addresses and phone numbers from comments", value=False, key="ingest_redact",
        help="Replaces them with [email] and [phone] before anything is stored.", disabled=kind != "survey",
    )
    signature = (preview.sha256, kind, mapping.to_toml(), on_conflict, redact)
    if st.button("Check all rows", type="secondary", key="ingest_check"):
        bar = st.progress(0.0, text="Checking…")
        st.session_state["ingest_report"] = (signature, import_file(
            store, preview.path, kind, mapping=mapping, dry_run=True, on_conflict=on_conflict, redact=redact,
            file_name=preview.file_name, profile=profile_name, preview=preview,
            progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text),
        ))
        bar.empty()
    checked = st.session_state.get("ingest_report")
    if checked is not None and checked[0] != signature:
        st.info("The mapping changed since the last check: check again.", icon=":material/refresh:")
        checked = None
    if checked is not None:
        report = checked[1]
        if report.outcome == "refused":
            st.error(report.message, icon=":material/block:")
        elif report.outcome == "already_loaded":
            st.warning(report.message, icon=":material/content_copy:")
        else:
            metrics = st.columns(3)
            metrics[0].metric("Rows read", f"{report.rows_read:,}")
            metrics[1].metric("Would load", f"{report.rows_valid:,}")
            metrics[2].metric("Rejected", f"{report.rows_rejected:,}")
            st.dataframe(logic.report_counts(report), hide_index=True)
            for warning in report.warnings:
                st.info(warning, icon=":material/info:")
            if report.rows_rejected:
                st.markdown("**Rejected rows** (row numbers as a spreadsheet shows them)")
                st.dataframe(safe_frame(report.reject_summary), hide_index=True)
                st.dataframe(safe_frame(report.rejects.head(1000)), hide_index=True, height=260)
                st.download_button("Download rejected rows (CSV)", logic.rejects_csv(report),
                                   file_name=logic.rejects_file_name(report), mime="text/csv",
                                   key="ingest_download_rejects")
            # -- 4. import --------------------------------------------------------------
            label = f"Import {report.rows_valid:,} rows"
            if st.button(label, type="primary", key="ingest_import"):
                bar = st.progress(0.0, text="Importing…")
                final = import_file(
                    store, preview.path, kind, mapping=mapping, on_conflict=on_conflict, redact=redact,
                    file_name=preview.file_name, profile=profile_name, preview=preview,
                    progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text),
                )
                bar.empty()
                if final.outcome == "loaded":
                    st.session_state.pop("ingest_report", None)
                    st.session_state["ingest_done"] = (
                        f"Imported {preview.file_name} as import #{final.import_id}: {final.rows_inserted:,} new, "
                        f"{final.rows_updated:,} updated, {final.rows_unchanged:,} unchanged, "
                        f"{final.rows_skipped:,} skipped, {final.rows_rejected:,} rejected."
                    )
                    st.rerun()
                st.error(final.message, icon=":material/block:")

# -- 5. history and undo ----------------------------------------------------------------
st.subheader("Import history")
table = logic.history(store)
if table.empty:
    st.caption("No imports yet.")
else:
    st.dataframe(safe_frame(table), hide_index=True, height=260)
    st.download_button("Download history (CSV)", safe_csv(table), file_name="import-history.csv",
                       mime="text/csv", key="ingest_download_history")
    loads = logic.undoable(store)
    if loads:
        st.markdown("**Undo a load** — removes its rows and puts back the versions it replaced.")
        confirming = st.session_state.get("ingest_confirm_undo")
        for import_id, description in loads:
            row = st.columns([5, 1])
            row[0].markdown(description)
            if row[1].button("Undo", key=f"ingest_undo_{import_id}"):
                st.session_state["ingest_confirm_undo"] = confirming = import_id
            if confirming == import_id:
                st.warning(f"Undo import #{import_id}? Its rows are removed from every page.", icon=":material/undo:")
                confirm = st.columns([1, 1, 4])
                if confirm[0].button(f"Yes, undo #{import_id}", type="primary", key=f"ingest_undo_yes_{import_id}"):
                    st.session_state.pop("ingest_confirm_undo", None)
                    try:
                        st.session_state["ingest_done"] = undo_import(store, import_id).message
                    except ImportRefused as error:
                        st.session_state["ingest_failed"] = str(error)
                    st.rerun()
                if confirm[1].button("Cancel", key=f"ingest_undo_no_{import_id}"):
                    st.session_state.pop("ingest_confirm_undo", None)
                    st.rerun()
