#include <QtTest>

#include "tests/ui/test_registry.h"
#include "ui/image_convert.h"

using namespace deltaedit;
using namespace deltaedit::ui;

class ImageConvertTest : public QObject {
  Q_OBJECT
 private slots:
  void round_trip_keeps_rgb_order_and_rows() {
    face::RgbImage rgb;
    rgb.pixels.create(3, 5, CV_8UC3);  // odd width: QImage rows are padded, Mat rows are not
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 5; ++x)
        rgb.pixels.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(10 * x), uchar(50 * y), uchar(x + y));
    const QImage q = to_qimage(rgb);
    QCOMPARE(q.size(), QSize(5, 3));
    QCOMPARE(q.pixelColor(4, 2), QColor(40, 100, 6));  // R is the first channel
    const face::RgbImage back = to_rgb_image(q);
    QCOMPARE(cv::norm(back.pixels, rgb.pixels, cv::NORM_INF), 0.0);
  }

  void any_qimage_format_converts() {
    QImage argb(4, 4, QImage::Format_ARGB32);
    argb.fill(QColor(1, 2, 3));
    const face::RgbImage rgb = to_rgb_image(argb);
    QCOMPARE(rgb.pixels.type(), CV_8UC3);
    QCOMPARE(rgb.pixels.at<cv::Vec3b>(3, 3), cv::Vec3b(1, 2, 3));
    QVERIFY(to_qimage(face::RgbImage{}).isNull());
  }
};

DELTAEDIT_REGISTER_QTEST(ImageConvertTest);
#include "test_image_convert.moc"
