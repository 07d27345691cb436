"""The officer's profile: name, province, commune, villages and the interface language.
Shown at first start and from the Settings menu. Province and commune are picked from the
questionnaire's own code lists (the questions that fill the list's province and commune)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.field_widgets import ERROR_COLOR, CodeWidget
from desktop.settings import Profile
from desktop.text import t
from forms.definition import Definition, Field
from forms.i18n import current_language, set_language
from forms.text import nfc

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language


class ProfileDialog(QDialog):
    def __init__(self, definition: Definition, profile: Profile, first_start: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("profile_dialog")
        self.definition = definition
        self.first_start = first_start
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.name = QLineEdit(profile.officer_name, self)
        self.name.setObjectName("officer_name")
        self.province = self._code_widget("province_code", profile.province)
        self.commune = self._code_widget("commune_code", profile.commune)
        if self.province is not None and self.commune is not None:
            self.commune.set_parent_value(profile.province or None)
            self.province.changed.connect(lambda _f, value, _final: self.commune.set_parent_value(value))
        for w in (self.province, self.commune):
            if w is not None:
                w.enter.connect(lambda _w: self.focusNextChild())
                w.label.hide()  # the form's own label column shows it
        self.villages = QPlainTextEdit("\n".join(profile.villages), self)
        self.villages.setObjectName("villages")
        self.villages.setTabChangesFocus(True)
        self.villages.setFixedHeight(90)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(profile.language or current_language())))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.problem = QLabel(self)
        self.problem.setObjectName("profile_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {ERROR_COLOR};")
        self.problem.hide()
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("profile_save")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.reject)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.labels = {key: QLabel(self) for key in ("name", "province", "commune", "villages", "language")}
        self.form.addRow(self.labels["name"], self.name)
        if self.province is not None:
            self.form.addRow(self.labels["province"], self.province)
        if self.commune is not None:
            self.form.addRow(self.labels["commune"], self.commune)
        self.form.addRow(self.labels["villages"], self.villages)
        self.form.addRow(self.labels["language"], self.language)
        self.labels["name"].setBuddy(self.name)
        self.labels["villages"].setBuddy(self.villages)
        self.labels["language"].setBuddy(self.language)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.setMinimumWidth(720)
        self.retranslate()

    def _summary_field(self, column: str) -> Field | None:
        fid = self.definition.summary.get(column)
        f = self.definition.by_id.get(fid) if fid else None
        return f if f is not None and f.type == "select_one" else None

    def _code_widget(self, column: str, value: str) -> CodeWidget | None:
        f = self._summary_field(column)
        if f is None:
            return None
        w = CodeWidget(self.definition, f, label_width=10, parent=self)
        w.line.setObjectName(f"profile_{column}")
        w.set_value(value or None)
        return w

    def _language_changed(self, _index: int) -> None:
        set_language(self.language.currentData())
        self.retranslate()

    def profile(self) -> Profile:
        villages = [nfc(v).strip() for v in self.villages.toPlainText().splitlines()]
        return Profile(
            officer_name=nfc(self.name.text()).strip(),
            province=str(self.province.value() or "") if self.province else "",
            commune=str(self.commune.value() or "") if self.commune else "",
            villages=[v for v in dict.fromkeys(villages) if v],
            language=self.language.currentData(),
        )

    def problems(self) -> list[str]:
        p = self.profile()
        out = []
        if not p.officer_name:
            out.append(t("profile_need_name"))
        if self.province is not None and p.province not in self.province.choices.by_code:
            out.append(t("profile_need_province"))
        if self.commune is not None:
            choice = self.commune.choices.by_code.get(p.commune)
            if choice is None or (p.province and choice.parent and choice.parent != p.province):
                out.append(t("profile_need_commune"))
        if not p.villages:
            out.append(t("profile_need_village"))
        return out

    def _save(self) -> None:
        problems = self.problems()
        if problems:
            self.problem.setText("\n".join(problems))
            self.problem.show()
            return
        self.accept()

    def retranslate(self) -> None:
        self.setWindowTitle(t("profile_title_first") if self.first_start else t("profile_title"))
        self.intro.setText(t("profile_intro_first") if self.first_start else t("profile_intro"))
        self.labels["name"].setText(t("profile_name"))
        self.labels["villages"].setText(t("profile_villages"))
        self.labels["language"].setText(t("profile_language"))
        for key, w in (("province", self.province), ("commune", self.commune)):
            if w is not None:
                w.retranslate()
                self.labels[key].setText(w.field.label.text() if w.field.label else key)
                self.labels[key].setBuddy(w.line)
        self.villages.setPlaceholderText(t("profile_villages_hint"))
        self.name.setPlaceholderText(t("profile_name_hint"))
        self.save_button.setText(t("save"))
        self.cancel_button.setText(t("cancel"))
        if self.problem.isVisible():
            self.problem.setText("\n".join(self.problems()))
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
