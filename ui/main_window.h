#pragma once
// DeltaEdit Studio's window: glues the document (session + undo stack), the workers (model
// loading, photo opening, latest-request-wins rendering, export) and the widgets. All engine
// work runs off the GUI thread; every failure arrives as a signal and is shown as a dialog.
#include <memory>

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include "ui/engine_loader.h"
#include "ui/open_photo_worker.h"
#include "ui/session_autosave.h"
#include "ui/studio_settings.h"

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QUndoView;

namespace deltaedit::ui {

class BackgroundTask;
class Document;
class MissingModelsPage;
class PromptPanel;
class RenderWorker;
class SplitView;
class StrengthControl;

// How a window is set up (command line, tests).
struct StudioOptions {
  QString models_folder;     // empty: settings, then $DELTAEDIT_MODELS, then the bundled demo
  QString device;            // empty: settings ("auto" by default)
  QString autosave_folder;   // empty: AppDataLocation/autosave
  bool ask_before_closing = true;  // "save changes?" on close with unsaved edits
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  using Options = StudioOptions;
  enum class Page { Welcome, Busy, Editor, MissingModels };

  explicit MainWindow(Options options = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  // --- actions (menus call these; so do tests and the screenshot tour) ---
  void open_photo(const QString& path, bool aligned = false);  // asynchronous
  void cancel_open();
  bool open_session(const QString& path);  // false: an error dialog is shown
  bool save_session(const QString& path);
  void export_png(const QString& path, bool full_photo, bool overwrite);  // asynchronous
  void apply_prompts(const QString& source, const QString& target);
  void reload_models();
  void recover(const QString& autosave_file);

  // --- state ---
  Page page() const;
  bool engine_ready() const { return engine_ != nullptr; }
  EnginePtr engine() const { return engine_; }
  bool opening() const { return open_worker_ != nullptr; }
  bool rendering_idle() const;  // no render running or waiting
  int64_t preview_resolution() const;
  Document* document() const { return document_; }
  SplitView* view() const { return view_; }
  PromptPanel* prompt_panel() const { return prompts_; }
  StrengthControl* strength_control() const { return strength_; }
  MissingModelsPage* missing_models_page() const { return missing_page_; }
  RenderWorker* render_worker() const { return render_worker_.get(); }
  QString device_text() const;
  QStringList leftover_autosaves() const { return leftovers_; }
  const SessionAutosave& autosave() const { return autosave_; }

 signals:
  void engine_state_changed(bool ready);
  void photo_opened();
  void open_failed(const QString& message);
  void frame_shown(quint64 serial, bool preview);
  void export_done(const QString& file, const QString& error);  // error empty on success

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void build_pages();
  void build_docks();
  void build_menus();
  void check_and_load_models();
  void on_engine_loaded(EnginePtr engine);
  void show_missing_models(const QString& folder, const QString& load_error);
  void start_open(const OpenRequest& request);
  void finish_open();
  void on_document_changed();
  void request_render(bool preview, double strength);
  void request_before();
  void on_rendered(const QImage& image, quint64 serial, bool preview);
  void update_actions();
  void update_title();
  void rebuild_recent_menu();
  void offer_recovery();
  void set_page(Page page);
  bool confirm_discard_changes();

  // menu handlers with file dialogs
  void choose_photo();
  void choose_session_to_open();
  void choose_session_to_save();
  void choose_export(bool full_photo);
  void open_settings();
  void open_any(const QString& path);

  Options options_;
  StudioSettings settings_;
  EnginePtr engine_;
  QString models_folder_;
  Document* document_;
  SessionAutosave autosave_;
  QStringList leftovers_;
  bool aligned_photos_ = false;

  std::unique_ptr<EngineLoader> loader_;
  std::unique_ptr<OpenPhotoWorker> open_worker_;
  std::unique_ptr<RenderWorker> render_worker_;
  std::unique_ptr<RenderWorker> before_worker_;
  std::unique_ptr<BackgroundTask> export_task_;
  QString pending_open_;  // a photo asked for before the models were ready
  bool pending_open_aligned_ = false;

  QStackedWidget* pages_;
  QWidget* welcome_page_;
  QWidget* busy_page_;
  QLabel* busy_label_;
  QProgressBar* busy_progress_;
  QPushButton* busy_cancel_;
  QWidget* editor_page_;
  SplitView* view_;
  MissingModelsPage* missing_page_;
  QListWidget* welcome_recent_;
  PromptPanel* prompts_;
  StrengthControl* strength_;
  QUndoView* history_;
  QLabel* device_label_;
  QLabel* edit_label_;

  QMenu* recent_menu_;
  QAction* save_action_;
  QAction* save_as_action_;
  QAction* export_face_action_;
  QAction* export_photo_action_;
  QAction* reset_action_;
  QAction* remove_edit_action_;
  QAction* split_action_;
  QAction* side_action_;
  QAction* after_action_;
};

}  // namespace deltaedit::ui
