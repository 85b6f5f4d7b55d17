#pragma once
// Edit strength (alpha): a slider with a numeric box, plus the advanced relevance threshold
// (beta). While the slider moves it asks for previews; when the gesture ends (release, or a
// keyboard / wheel / typed change that settles) it commits once. Double-click resets to 1.0.
#include <QTimer>
#include <QWidget>

class QSlider;
class QDoubleSpinBox;

namespace deltaedit::ui {

class StrengthControl : public QWidget {
  Q_OBJECT
 public:
  static constexpr double kMin = -3.0, kMax = 3.0, kDefault = 1.0;
  static constexpr int kTicksPerUnit = 100;
  static constexpr int kSettleMs = 250;

  explicit StrengthControl(QWidget* parent = nullptr);

  double strength() const;
  double threshold() const;
  // Shows a document value without emitting anything.
  void show_values(double strength, double threshold);

  QSlider* slider() const { return slider_; }
  QDoubleSpinBox* spin_box() const { return spin_; }
  QDoubleSpinBox* threshold_box() const { return threshold_; }

 signals:
  void preview_requested(double strength);  // live, while the value moves
  void committed(double strength);          // once per gesture
  void threshold_committed(double threshold);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void on_slider(int ticks);
  void on_spin(double value);
  void commit();

  QSlider* slider_;
  QDoubleSpinBox* spin_;
  QDoubleSpinBox* threshold_;
  QTimer settle_;
  double committed_ = kDefault;
};

}  // namespace deltaedit::ui
