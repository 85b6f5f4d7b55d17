#include "ui/prompt_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace deltaedit::ui {

namespace {
constexpr int kSourceRole = Qt::UserRole;
constexpr int kTargetRole = Qt::UserRole + 1;
}  // namespace

QList<QPair<QString, QString>> PromptPanel::suggestions() {
  return {{tr("Smile"), "face with smile"},
          {tr("Glasses"), "face with glasses"},
          {tr("Blond hair"), "face with blond hair"},
          {tr("Beard"), "face with beard"},
          {tr("Old"), "old face"},
          {tr("Young"), "young face"},
          {tr("Curly hair"), "face with curly hair"},
          {tr("Makeup"), "face with makeup"},
          {tr("Angry"), "angry face"},
          {tr("Surprised"), "surprised face"},
          {tr("Bangs"), "face with bangs"},
          {tr("Red hair"), "face with red hair"}};
}

PromptPanel::PromptPanel(QWidget* parent) : QWidget(parent) {
  source_ = new QLineEdit(QStringLiteral("face"), this);
  source_->setToolTip(tr("What the photo shows now, in neutral words"));
  target_ = new QLineEdit(this);
  target_->setPlaceholderText(tr("e.g. face with smile"));
  target_->setToolTip(tr("What it should show after the edit"));
  apply_ = new QPushButton(tr("Apply"), this);
  apply_->setDefault(true);

  suggestions_ = new QListWidget(this);
  suggestions_->setFlow(QListView::LeftToRight);
  suggestions_->setWrapping(true);
  suggestions_->setResizeMode(QListView::Adjust);
  suggestions_->setSpacing(2);
  suggestions_->setMaximumHeight(96);
  for (const auto& [label, target] : suggestions()) {
    auto* item = new QListWidgetItem(label, suggestions_);
    item->setData(kSourceRole, QStringLiteral("face"));
    item->setData(kTargetRole, target);
    item->setToolTip(target);
  }
  recent_ = new QListWidget(this);
  recent_->setMaximumHeight(110);

  auto* form = new QFormLayout;
  form->addRow(tr("From"), source_);
  form->addRow(tr("To"), target_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(form);
  layout->addWidget(apply_);
  layout->addWidget(new QLabel(tr("Suggestions"), this));
  layout->addWidget(suggestions_);
  layout->addWidget(new QLabel(tr("Recent"), this));
  layout->addWidget(recent_);

  auto pick = [this](QListWidgetItem* item) {
    set_prompts(item->data(kSourceRole).toString(), item->data(kTargetRole).toString());
  };
  connect(suggestions_, &QListWidget::itemClicked, this, pick);
  connect(recent_, &QListWidget::itemClicked, this, pick);
  // Double-click picks and applies in one go.
  auto pick_apply = [this, pick](QListWidgetItem* item) {
    pick(item);
    apply();
  };
  connect(suggestions_, &QListWidget::itemDoubleClicked, this, pick_apply);
  connect(recent_, &QListWidget::itemDoubleClicked, this, pick_apply);
  connect(source_, &QLineEdit::textChanged, this, &PromptPanel::update_apply);
  connect(target_, &QLineEdit::textChanged, this, &PromptPanel::update_apply);
  connect(target_, &QLineEdit::returnPressed, this, &PromptPanel::apply);
  connect(apply_, &QPushButton::clicked, this, &PromptPanel::apply);
  update_apply();
}

QString PromptPanel::source() const { return source_->text().trimmed(); }
QString PromptPanel::target() const { return target_->text().trimmed(); }

void PromptPanel::set_prompts(const QString& source, const QString& target) {
  source_->setText(source);
  target_->setText(target);
}

void PromptPanel::set_recent(const QList<PromptPair>& recent) {
  recent_->clear();
  for (const PromptPair& p : recent) {
    auto* item = new QListWidgetItem(QStringLiteral("%1 → %2").arg(p.source, p.target), recent_);
    item->setData(kSourceRole, p.source);
    item->setData(kTargetRole, p.target);
  }
}

void PromptPanel::update_apply() {
  apply_->setEnabled(!source().isEmpty() && !target().isEmpty() && source() != target());
}

void PromptPanel::apply() {
  if (!apply_->isEnabled() || !isEnabled()) return;
  emit apply_requested(source(), target());
}

}  // namespace deltaedit::ui
