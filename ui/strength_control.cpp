#include "ui/strength_control.h"

#include <cmath>

#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include "core/engine/model_bundle.h"

namespace deltaedit::ui {

StrengthControl::StrengthControl(QWidget* parent) : QWidget(parent) {
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(int(kMin * kTicksPerUnit), int(kMax * kTicksPerUnit));
  slider_->setSingleStep(5);
  slider_->setPageStep(25);
  slider_->setTickPosition(QSlider::TicksBelow);
  slider_->setTickInterval(kTicksPerUnit);
  slider_->setValue(int(kDefault * kTicksPerUnit));
  slider_->setToolTip(tr("Edit strength (alpha). Negative values reverse the edit.\n"
                         "Double-click to reset to 1.0."));
  slider_->installEventFilter(this);

  spin_ = new QDoubleSpinBox(this);
  spin_->setRange(kMin, kMax);
  spin_->setDecimals(2);
  spin_->setSingleStep(0.05);
  spin_->setValue(kDefault);
  spin_->setKeyboardTracking(false);
  spin_->setAccessibleName(tr("Strength"));

  threshold_ = new QDoubleSpinBox(this);
  threshold_->setRange(0.0, 1.0);
  threshold_->setDecimals(3);
  threshold_->setSingleStep(0.005);
  threshold_->setValue(engine::kDeltaEditThreshold);  // until a bundle names its own
  threshold_->setKeyboardTracking(false);
  threshold_->setToolTip(tr("Relevance threshold (beta): StyleSpace channels whose relevance to "
                            "the text change is below it are left untouched. Higher = a more "
                            "local edit."));

  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Strength"), this));
  row->addWidget(slider_, 1);
  row->addWidget(spin_);

  // Advanced: the threshold row shows only when the box is ticked.
  auto* advanced = new QCheckBox(tr("Advanced"), this);
  auto* threshold_row = new QWidget(this);
  auto* form = new QFormLayout(threshold_row);
  form->setContentsMargins(0, 0, 0, 0);
  form->addRow(tr("Threshold (β)"), threshold_);
  threshold_row->setVisible(false);
  connect(advanced, &QCheckBox::toggled, threshold_row, &QWidget::setVisible);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(row);
  layout->addWidget(advanced);
  layout->addWidget(threshold_row);

  settle_.setSingleShot(true);
  settle_.setInterval(kSettleMs);
  connect(&settle_, &QTimer::timeout, this, &StrengthControl::commit);
  connect(slider_, &QSlider::valueChanged, this, &StrengthControl::on_slider);
  connect(slider_, &QSlider::sliderReleased, this, [this] {
    settle_.stop();
    commit();
  });
  connect(spin_, &QDoubleSpinBox::valueChanged, this, &StrengthControl::on_spin);
  connect(threshold_, &QDoubleSpinBox::valueChanged, this,
          [this](double v) { emit threshold_committed(v); });
}

double StrengthControl::strength() const { return spin_->value(); }
double StrengthControl::threshold() const { return threshold_->value(); }

void StrengthControl::show_values(double strength, double threshold) {
  settle_.stop();
  const QSignalBlocker b1(slider_), b2(spin_), b3(threshold_);
  slider_->setValue(int(std::lround(strength * kTicksPerUnit)));
  spin_->setValue(strength);
  threshold_->setValue(threshold);
  committed_ = strength;
}

void StrengthControl::on_slider(int ticks) {
  const double value = double(ticks) / kTicksPerUnit;
  {
    const QSignalBlocker block(spin_);
    spin_->setValue(value);
  }
  emit preview_requested(value);
  // A drag commits on release; keyboard and wheel steps commit once they stop.
  if (!slider_->isSliderDown()) settle_.start();
}

void StrengthControl::on_spin(double value) {
  {
    const QSignalBlocker block(slider_);
    slider_->setValue(int(std::lround(value * kTicksPerUnit)));
  }
  emit preview_requested(value);
  settle_.start();
}

void StrengthControl::commit() {
  const double value = spin_->value();
  if (value == committed_) return;
  committed_ = value;
  emit committed(value);
}

bool StrengthControl::eventFilter(QObject* watched, QEvent* event) {
  if (watched == slider_ && event->type() == QEvent::MouseButtonDblClick) {
    settle_.stop();
    {
      const QSignalBlocker b1(slider_), b2(spin_);
      slider_->setValue(int(kDefault * kTicksPerUnit));
      spin_->setValue(kDefault);
    }
    emit preview_requested(kDefault);
    commit();
    return true;
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace deltaedit::ui
