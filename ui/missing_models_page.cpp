#include "ui/missing_models_page.h"

#include <QDesktopServices>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace deltaedit::ui {

MissingModelsPage::MissingModelsPage(QWidget* parent) : QWidget(parent) {
  auto* title = new QLabel(tr("<h2>Models needed</h2>"), this);
  headline_ = new QLabel(this);
  headline_->setWordWrap(true);
  folder_ = new QLabel(this);
  folder_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
  folder_->setWordWrap(true);
  folder_->setOpenExternalLinks(true);
  report_ = new QPlainTextEdit(this);
  report_->setReadOnly(true);
  report_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
  QFont mono(QStringLiteral("monospace"));
  mono.setStyleHint(QFont::Monospace);
  report_->setFont(mono);

  auto* choose = new QPushButton(tr("Choose Models Folder…"), this);
  auto* retry = new QPushButton(tr("Check Again"), this);
  auto* settings = new QPushButton(tr("Settings…"), this);
  connect(choose, &QPushButton::clicked, this, &MissingModelsPage::choose_folder_requested);
  connect(retry, &QPushButton::clicked, this, &MissingModelsPage::retry_requested);
  connect(settings, &QPushButton::clicked, this, &MissingModelsPage::settings_requested);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(choose);
  buttons->addWidget(retry);
  buttons->addStretch(1);
  buttons->addWidget(settings);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(32, 24, 32, 24);
  layout->addWidget(title);
  layout->addWidget(headline_);
  layout->addWidget(folder_);
  layout->addWidget(report_, 1);
  layout->addLayout(buttons);
}

void MissingModelsPage::show_report(const QString& folder, const QStringList& problems,
                                    const QString& report) {
  headline_->setText(
      problems.isEmpty()
          ? tr("The models could not be loaded.")
          : tr("DeltaEdit Studio cannot edit photos until these files are in place: <b>%1</b>.")
                .arg(problems.join(QStringLiteral(", ")).toHtmlEscaped()));
  folder_->setText(tr("Models folder: <a href=\"%1\">%2</a>")
                       .arg(QUrl::fromLocalFile(folder).toString(), folder.toHtmlEscaped()));
  report_->setPlainText(report);
}

QString MissingModelsPage::report_text() const { return report_->toPlainText(); }

}  // namespace deltaedit::ui
