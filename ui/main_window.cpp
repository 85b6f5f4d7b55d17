#include "ui/main_window.h"

#include <algorithm>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QUndoView>
#include <QVBoxLayout>

#include "core/engine/model_bundle.h"
#include "ui/background_task.h"
#include "ui/document.h"
#include "ui/error_box.h"
#include "ui/export_png.h"
#include "ui/face_picker_dialog.h"
#include "ui/image_convert.h"
#include "ui/missing_models_page.h"
#include "ui/prompt_panel.h"
#include "ui/render_worker.h"
#include "ui/settings_dialog.h"
#include "ui/split_view.h"
#include "ui/strength_control.h"
#include "ui/undo_commands.h"

namespace deltaedit::ui {

namespace {
const char* kSessionSuffix = "deltaedit";

bool is_session_file(const QString& path) {
  return QFileInfo(path).suffix().compare(kSessionSuffix, Qt::CaseInsensitive) == 0;
}
}  // namespace

MainWindow::MainWindow(Options options, QWidget* parent)
    : QMainWindow(parent),
      options_(std::move(options)),
      document_(new Document(this)),
      autosave_(options_.autosave_folder) {
  setWindowTitle(tr("DeltaEdit Studio"));
  setAcceptDrops(true);
  resize(1180, 760);
  build_pages();
  build_docks();
  build_menus();

  device_label_ = new QLabel(tr("Models not loaded"), this);
  edit_label_ = new QLabel(this);
  statusBar()->addPermanentWidget(edit_label_);
  statusBar()->addPermanentWidget(device_label_);

  connect(document_, &Document::changed, this, &MainWindow::on_document_changed);
  connect(document_, &Document::closed, this, [this] {
    autosave_.clear();
    view_->clear();
    set_page(Page::Welcome);
    update_actions();
  });
  connect(document_->undo_stack(), &QUndoStack::cleanChanged, this, &MainWindow::update_title);

  leftovers_ = autosave_.begin();
  set_page(Page::Welcome);
  update_actions();
  update_title();
  check_and_load_models();
  if (!leftovers_.isEmpty()) offer_recovery();
}

MainWindow::~MainWindow() {
  // Workers first: they may still emit into widgets that are about to go.
  if (open_worker_) open_worker_->cancel();
  open_worker_.reset();
  render_worker_.reset();
  before_worker_.reset();
  export_task_.reset();
  if (loader_) loader_->wait();
  // No autosave_.finish() here: only a clean close (closeEvent) removes the autosave, so a
  // window that goes away any other way leaves it for recovery.
}

// ---------------------------------------------------------------------------------------------
// Layout

void MainWindow::build_pages() {
  pages_ = new QStackedWidget(this);
  setCentralWidget(pages_);

  welcome_page_ = new QWidget(pages_);
  {
    auto* title = new QLabel(tr("<h1>DeltaEdit Studio</h1>"
                                "<p>Edit portraits with words: open a photo, type what you "
                                "want to change, and adjust the strength.</p>"),
                             welcome_page_);
    title->setAlignment(Qt::AlignCenter);
    title->setWordWrap(true);
    auto* open = new QPushButton(tr("Open Photo…"), welcome_page_);
    open->setMinimumWidth(200);
    connect(open, &QPushButton::clicked, this, &MainWindow::choose_photo);
    auto* drop = new QLabel(tr("or drop a photo or a .deltaedit session here"), welcome_page_);
    drop->setAlignment(Qt::AlignCenter);
    welcome_recent_ = new QListWidget(welcome_page_);
    welcome_recent_->setMaximumWidth(520);
    welcome_recent_->setMaximumHeight(180);
    connect(welcome_recent_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { open_any(item->data(Qt::UserRole).toString()); });
    auto* layout = new QVBoxLayout(welcome_page_);
    layout->addStretch(2);
    layout->addWidget(title);
    layout->addWidget(open, 0, Qt::AlignHCenter);
    layout->addWidget(drop);
    layout->addSpacing(16);
    layout->addWidget(new QLabel(tr("Recent"), welcome_page_), 0, Qt::AlignHCenter);
    layout->addWidget(welcome_recent_, 0, Qt::AlignHCenter);
    layout->addStretch(3);
  }
  pages_->addWidget(welcome_page_);

  busy_page_ = new QWidget(pages_);
  {
    busy_label_ = new QLabel(busy_page_);
    busy_label_->setAlignment(Qt::AlignCenter);
    busy_progress_ = new QProgressBar(busy_page_);
    busy_progress_->setRange(0, 1000);
    busy_progress_->setMaximumWidth(420);
    busy_progress_->setTextVisible(false);
    busy_cancel_ = new QPushButton(tr("Cancel"), busy_page_);
    connect(busy_cancel_, &QPushButton::clicked, this, &MainWindow::cancel_open);
    auto* layout = new QVBoxLayout(busy_page_);
    layout->addStretch(1);
    layout->addWidget(busy_label_);
    layout->addWidget(busy_progress_, 0, Qt::AlignHCenter);
    layout->addWidget(busy_cancel_, 0, Qt::AlignHCenter);
    layout->addStretch(1);
  }
  pages_->addWidget(busy_page_);

  editor_page_ = new QWidget(pages_);
  {
    view_ = new SplitView(editor_page_);
    auto* layout = new QVBoxLayout(editor_page_);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_);
  }
  pages_->addWidget(editor_page_);

  missing_page_ = new MissingModelsPage(pages_);
  connect(missing_page_, &MissingModelsPage::retry_requested, this, &MainWindow::reload_models);
  connect(missing_page_, &MissingModelsPage::settings_requested, this, &MainWindow::open_settings);
  connect(missing_page_, &MissingModelsPage::choose_folder_requested, this, [this] {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Models Folder"), models_folder_);
    if (dir.isEmpty()) return;
    settings_.set_models_folder(dir);
    options_.models_folder.clear();
    reload_models();
  });
  pages_->addWidget(missing_page_);
}

void MainWindow::build_docks() {
  auto* edit_panel = new QWidget(this);
  prompts_ = new PromptPanel(edit_panel);
  strength_ = new StrengthControl(edit_panel);
  auto* layout = new QVBoxLayout(edit_panel);
  layout->addWidget(prompts_);
  layout->addSpacing(8);
  layout->addWidget(strength_);
  layout->addStretch(1);
  prompts_->set_recent(settings_.recent_prompts());

  auto* edit_dock = new QDockWidget(tr("Edit"), this);
  edit_dock->setObjectName("edit_dock");
  edit_dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  edit_dock->setWidget(edit_panel);
  addDockWidget(Qt::RightDockWidgetArea, edit_dock);

  history_ = new QUndoView(document_->undo_stack(), this);
  history_->setEmptyLabel(tr("Photo opened"));
  auto* history_dock = new QDockWidget(tr("History"), this);
  history_dock->setObjectName("history_dock");
  history_dock->setWidget(history_);
  addDockWidget(Qt::RightDockWidgetArea, history_dock);

  connect(prompts_, &PromptPanel::apply_requested, this, &MainWindow::apply_prompts);
  connect(strength_, &StrengthControl::preview_requested, this,
          [this](double v) { request_render(true, v); });
  connect(strength_, &StrengthControl::committed, this, [this](double v) {
    if (document_->has_session() && !document_->session().edits.empty())
      document_->set_strength(document_->session().edits.size() - 1, v);
  });
  connect(strength_, &StrengthControl::threshold_committed, this, [this](double v) {
    if (document_->has_session() && !document_->session().edits.empty())
      document_->set_threshold(document_->session().edits.size() - 1, v);
  });
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open Photo…"), QKeySequence::Open, this, &MainWindow::choose_photo);
  QAction* aligned = file->addAction(tr("Photos Are Aligned Crops"));
  aligned->setCheckable(true);
  aligned->setToolTip(tr("Skip face detection: the photo is already an FFHQ-aligned crop"));
  connect(aligned, &QAction::toggled, this, [this](bool on) { aligned_photos_ = on; });
  recent_menu_ = file->addMenu(tr("Open &Recent"));
  connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::rebuild_recent_menu);
  file->addSeparator();
  file->addAction(tr("Open &Session…"), QKeySequence(tr("Ctrl+Shift+O")), this,
                  &MainWindow::choose_session_to_open);
  save_action_ = file->addAction(tr("&Save Session"), QKeySequence::Save, this, [this] {
    if (document_->file().isEmpty())
      choose_session_to_save();
    else
      save_session(document_->file());
  });
  save_as_action_ = file->addAction(tr("Save Session &As…"), QKeySequence::SaveAs, this,
                                    &MainWindow::choose_session_to_save);
  file->addSeparator();
  export_face_action_ = file->addAction(tr("&Export Face as PNG…"), QKeySequence(tr("Ctrl+E")),
                                        this, [this] { choose_export(false); });
  export_photo_action_ =
      file->addAction(tr("Export &Whole Photo as PNG…"), QKeySequence(tr("Ctrl+Shift+E")), this,
                      [this] { choose_export(true); });
  file->addSeparator();
  file->addAction(tr("Se&ttings…"), QKeySequence::Preferences, this, &MainWindow::open_settings);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* undo = document_->undo_stack()->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = document_->undo_stack()->createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  edit->addSeparator();
  remove_edit_action_ =
      edit->addAction(tr("Remove Last Edit"), this, [this] { document_->remove_last_edit(); });
  reset_action_ = edit->addAction(tr("Reset All Edits"), QKeySequence(tr("Ctrl+R")), this,
                                  [this] { document_->reset_edits(); });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  auto* modes = new QActionGroup(this);
  split_action_ = view->addAction(tr("&Split Before/After"), this,
                                  [this] { view_->set_mode(SplitView::Mode::Split); });
  side_action_ = view->addAction(tr("Side &by Side"), this,
                                 [this] { view_->set_mode(SplitView::Mode::SideBySide); });
  after_action_ = view->addAction(tr("&Edited Only"), this,
                                  [this] { view_->set_mode(SplitView::Mode::AfterOnly); });
  for (QAction* a : {split_action_, side_action_, after_action_}) {
    a->setCheckable(true);
    modes->addAction(a);
  }
  split_action_->setChecked(true);
  connect(view_, &SplitView::view_changed, this, [this] {
    split_action_->setChecked(view_->mode() == SplitView::Mode::Split);
    side_action_->setChecked(view_->mode() == SplitView::Mode::SideBySide);
    after_action_->setChecked(view_->mode() == SplitView::Mode::AfterOnly);
  });
  split_action_->setShortcut(QKeySequence(tr("Ctrl+1")));
  side_action_->setShortcut(QKeySequence(tr("Ctrl+2")));
  after_action_->setShortcut(QKeySequence(tr("Ctrl+3")));
  view->addSeparator();
  view->addAction(tr("&Fit to Window"), QKeySequence(tr("Ctrl+0")), this,
                  [this] { view_->reset_view(); });
  view->addSeparator();
  QAction* hint = view->addAction(tr("Hold B or \\ to See the Original"));
  hint->setEnabled(false);

  auto* toolbar = addToolBar(tr("View"));
  toolbar->setObjectName("view_toolbar");
  toolbar->addAction(undo);
  toolbar->addAction(redo);
  toolbar->addSeparator();
  toolbar->addAction(split_action_);
  toolbar->addAction(side_action_);
  toolbar->addAction(after_action_);
}

// ---------------------------------------------------------------------------------------------
// Models

void MainWindow::check_and_load_models() {
  const QString requested =
      !options_.models_folder.isEmpty() ? options_.models_folder : settings_.models_folder();
  models_folder_ = QString::fromStdString(
      engine::resolve_models_folder(requested.toStdString()).string());
  std::vector<engine::FileCheck> checks;
  try {
    checks = engine::check_models(models_folder_.toStdString(), false);
  } catch (const std::exception& e) {
    show_missing_models(models_folder_, QString::fromUtf8(e.what()));
    return;
  }
  const bool all_ok = std::all_of(checks.begin(), checks.end(), [](const auto& c) {
    return c.state == engine::FileState::Ok;
  });
  if (!all_ok) {
    show_missing_models(models_folder_, {});
    return;
  }
  const QString device = !options_.device.isEmpty() ? options_.device : settings_.device();
  loader_ = std::make_unique<EngineLoader>(
      engine::locate_models(models_folder_.toStdString()), device);
  connect(loader_.get(), &EngineLoader::loaded, this, &MainWindow::on_engine_loaded);
  connect(loader_.get(), &EngineLoader::failed, this,
          [this](const QString& message) { show_missing_models(models_folder_, message); });
  connect(loader_.get(), &EngineLoader::progress, this, [this](const QString& stage, double f) {
    device_label_->setText(tr("Loading models: %1 (%2%)").arg(stage).arg(int(f * 100)));
  });
  device_label_->setText(tr("Loading models…"));
  loader_->start();
}

void MainWindow::reload_models() {
  if (loader_) loader_->wait();
  render_worker_.reset();
  before_worker_.reset();
  engine_.reset();
  emit engine_state_changed(false);
  update_actions();
  if (pages_->currentWidget() == missing_page_) set_page(Page::Welcome);
  check_and_load_models();
}

void MainWindow::show_missing_models(const QString& folder, const QString& load_error) {
  QStringList problems;
  QString report;
  try {
    const auto checks = engine::check_models(folder.toStdString(), false);
    for (const auto& c : checks)
      if (c.state != engine::FileState::Ok)
        problems.append(QString::fromStdString(c.spec.file_name));
    report = QString::fromStdString(engine::format_check_report(checks));
  } catch (const std::exception& e) {
    report = QString::fromUtf8(e.what());
  }
  if (!load_error.isEmpty())
    report = tr("The models could not be loaded:\n%1\n\n%2").arg(load_error, report);
  missing_page_->show_report(folder, problems, report);
  device_label_->setText(tr("Models not loaded"));
  set_page(Page::MissingModels);
}

void MainWindow::on_engine_loaded(EnginePtr engine) {
  engine_ = std::move(engine);
  auto render = [engine = engine_](const RenderRequest& r) {
    // Slider drags: interpolated along the strength when neighbouring previews are cached.
    if (r.preview) return to_qimage(engine->strength_preview(r.session, r.resolution));
    return to_qimage(engine->render(r.session, engine->edited_s(r.session), r.resolution));
  };
  // Idle time after a render: exact previews at the strengths next to the current one, so the
  // next drag of the slider is answered at once.
  auto prefetch = [engine = engine_](const RenderRequest& r) {
    return engine->prefetch_strength_preview(r.session, r.idle_resolution);
  };
  render_worker_ = std::make_unique<RenderWorker>(render, prefetch);
  before_worker_ = std::make_unique<RenderWorker>(render);
  connect(render_worker_.get(), &RenderWorker::rendered, this, &MainWindow::on_rendered);
  connect(before_worker_.get(), &RenderWorker::rendered, this,
          [this](const QImage& image, quint64, bool) { view_->set_before(image); });
  auto render_failed = [this](const QString& message, quint64) {
    statusBar()->showMessage(tr("Render failed: %1").arg(message), 10000);
    show_error(this, tr("Render failed"), message);
  };
  connect(render_worker_.get(), &RenderWorker::failed, this, render_failed);
  connect(before_worker_.get(), &RenderWorker::failed, this, render_failed);

  device_label_->setText(tr("Device: %1").arg(device_text()));
  // New edits start from the bundle's recommended beta; a session's own edits keep theirs.
  if (!document_->has_session() || document_->session().edits.empty())
    strength_->show_values(strength_->strength(), engine_->default_threshold());
  update_actions();
  emit engine_state_changed(true);
  if (document_->has_session()) {
    request_before();
    request_render(false, 0);
  }
  if (!pending_open_.isEmpty()) {
    const QString path = std::exchange(pending_open_, {});
    open_photo(path, pending_open_aligned_);
  }
}

QString MainWindow::device_text() const {
  return engine_ ? QString::fromStdString(engine_->device().describe()) : QString();
}

int64_t MainWindow::preview_resolution() const {
  if (!engine_) return 0;
  const int64_t full = engine_->image_size();
  int64_t best = 0;
  for (int64_t r : engine_->preview_sizes())
    if (r <= std::min<int64_t>(256, full / 2)) best = std::max(best, r);
  return best;
}

// ---------------------------------------------------------------------------------------------
// Opening

void MainWindow::open_any(const QString& path) {
  if (is_session_file(path))
    open_session(path);
  else
    open_photo(path, aligned_photos_);
}

void MainWindow::open_photo(const QString& path, bool aligned) {
  if (!engine_) {
    // Models still loading (or missing): open as soon as they are ready.
    pending_open_ = path;
    pending_open_aligned_ = aligned;
    statusBar()->showMessage(tr("%1 opens when the models are loaded").arg(path), 5000);
    return;
  }
  if (!confirm_discard_changes()) return;
  start_open(OpenRequest{path, aligned, aligned ? 0 : -1});
}

void MainWindow::start_open(const OpenRequest& request) {
  if (open_worker_) {
    open_worker_->cancel();
    open_worker_->wait();
  }
  open_worker_ = std::make_unique<OpenPhotoWorker>(engine_, request);
  OpenPhotoWorker* worker = open_worker_.get();
  connect(worker, &OpenPhotoWorker::progress, this, [this](const QString& stage, double f) {
    busy_label_->setText(tr("%1…").arg(stage));
    busy_progress_->setValue(int(f * 1000));
  });
  connect(worker, &OpenPhotoWorker::opened, this,
          [this, path = request.photo](const engine::EditSession& session, const QImage& before) {
            finish_open();
            settings_.add_recent_file(path);
            document_->start(session);
            view_->reset_view();
            view_->set_before(before);
            view_->set_after(before);
            set_page(Page::Editor);
            emit photo_opened();
          });
  connect(worker, &OpenPhotoWorker::faces_found, this,
          [this, request](const QImage& photo, const QList<QRectF>& faces) {
            finish_open();
            auto* picker = new FacePickerDialog(photo, faces, this);
            picker->setAttribute(Qt::WA_DeleteOnClose);
            connect(picker, &QDialog::accepted, this, [this, picker, request] {
              OpenRequest chosen = request;
              chosen.face_index = std::max(0, picker->selected_face());
              start_open(chosen);
            });
            picker->open();
          });
  connect(worker, &OpenPhotoWorker::failed, this,
          [this, path = request.photo](const QString& title, const QString& message) {
            finish_open();
            show_error(this, title, message);
            emit open_failed(message);
          });
  connect(worker, &OpenPhotoWorker::cancelled, this, [this] {
    finish_open();
    statusBar()->showMessage(tr("Opening cancelled"), 4000);
  });
  busy_label_->setText(tr("Opening %1…").arg(QFileInfo(request.photo).fileName()));
  busy_progress_->setValue(0);
  busy_cancel_->setEnabled(true);
  set_page(Page::Busy);
  worker->start();
}

void MainWindow::finish_open() {
  if (open_worker_) {
    open_worker_->wait();
    // Deleted later: we may be inside one of its queued signals.
    open_worker_.release()->deleteLater();
  }
  set_page(document_->has_session() ? Page::Editor : Page::Welcome);
}

void MainWindow::cancel_open() {
  if (!open_worker_) return;
  open_worker_->cancel();
  busy_cancel_->setEnabled(false);
  busy_label_->setText(tr("Cancelling…"));
}

bool MainWindow::open_session(const QString& path) {
  if (!confirm_discard_changes()) return false;
  try {
    engine::EditSession session = engine::load_session(path.toStdString());
    document_->start(std::move(session), path);
  } catch (const std::exception& e) {
    show_error(this, tr("Cannot open the session"), QString::fromUtf8(e.what()));
    return false;
  }
  settings_.add_recent_file(path);
  view_->reset_view();
  view_->clear();
  request_before();
  set_page(Page::Editor);
  return true;
}

bool MainWindow::save_session(const QString& path) {
  if (!document_->has_session()) return false;
  try {
    engine::save_session(path.toStdString(), document_->session());
  } catch (const std::exception& e) {
    show_error(this, tr("Cannot save the session"), QString::fromUtf8(e.what()));
    return false;
  }
  document_->set_file(path);
  document_->undo_stack()->setClean();
  settings_.add_recent_file(path);
  update_title();
  statusBar()->showMessage(tr("Saved %1").arg(path), 4000);
  return true;
}

void MainWindow::recover(const QString& autosave_file) {
  try {
    engine::EditSession session = engine::load_session(autosave_file.toStdString());
    document_->start(std::move(session));
    // Recovered work is unsaved work.
    document_->undo_stack()->resetClean();
  } catch (const std::exception& e) {
    show_error(this, tr("Cannot recover the session"), QString::fromUtf8(e.what()));
  }
  SessionAutosave::discard(autosave_file);
  leftovers_.removeAll(autosave_file);
  if (document_->has_session()) {
    view_->reset_view();
    request_before();
    set_page(Page::Editor);
  }
  update_title();
}

void MainWindow::offer_recovery() {
  auto* box = new QMessageBox(QMessageBox::Question, tr("Recover Unsaved Work?"),
                              tr("DeltaEdit Studio did not close properly last time. Recover the "
                                 "edits you were working on?"),
                              QMessageBox::NoButton, this);
  box->setObjectName("recovery_box");
  box->setAttribute(Qt::WA_DeleteOnClose);
  QPushButton* recover_button = box->addButton(tr("Recover"), QMessageBox::AcceptRole);
  recover_button->setObjectName("recover_button");
  box->addButton(tr("Discard"), QMessageBox::DestructiveRole)->setObjectName("discard_button");
  box->setDefaultButton(recover_button);
  connect(box, &QMessageBox::buttonClicked, this, [this, recover_button](QAbstractButton* b) {
    const QStringList files = leftovers_;
    if (b == recover_button && !files.isEmpty()) {
      recover(files.front());  // newest work first; older crashes are rare and discarded
      for (const QString& f : files.mid(1)) SessionAutosave::discard(f);
    } else {
      for (const QString& f : files) SessionAutosave::discard(f);
    }
    leftovers_.clear();
  });
  box->open();
}

// ---------------------------------------------------------------------------------------------
// Editing and rendering

void MainWindow::apply_prompts(const QString& source, const QString& target) {
  if (!document_->has_session() || source.isEmpty() || target.isEmpty()) return;
  engine::EditStep step;
  step.source = source.toStdString();
  step.target = target.toStdString();
  step.strength = StrengthControl::kDefault;
  step.threshold = strength_->threshold();
  settings_.add_recent_prompt({source, target});
  prompts_->set_recent(settings_.recent_prompts());
  document_->apply_edit(step);
}

void MainWindow::on_document_changed() {
  if (!document_->has_session()) return;
  const engine::EditSession& s = document_->session();
  if (!s.edits.empty()) {
    strength_->show_values(s.edits.back().strength, s.edits.back().threshold);
    edit_label_->setText(tr("%n edit(s)", nullptr, int(s.edits.size())));
  } else {
    strength_->show_values(StrengthControl::kDefault, strength_->threshold());
    edit_label_->setText(tr("No edits"));
  }
  try {
    autosave_.save(s);
  } catch (const std::exception& e) {
    statusBar()->showMessage(tr("Autosave failed: %1").arg(QString::fromUtf8(e.what())), 10000);
  }
  request_render(false, 0);
  update_actions();
  update_title();
}

void MainWindow::request_render(bool preview, double strength) {
  if (!render_worker_ || !document_->has_session()) return;
  RenderRequest r;
  r.session = document_->session();
  if (preview) {
    if (r.session.edits.empty()) return;
    r.session.edits.back().strength = strength;
    r.resolution = preview_resolution();
    r.preview = r.resolution != 0;
  }
  if (!r.session.edits.empty()) r.idle_resolution = preview_resolution();
  render_worker_->request(std::move(r));
}

void MainWindow::request_before() {
  if (!before_worker_ || !document_->has_session()) return;
  RenderRequest r;
  r.session = document_->session();
  r.session.edits.clear();
  before_worker_->request(std::move(r));
}

void MainWindow::on_rendered(const QImage& image, quint64 serial, bool preview) {
  // A frame older than the newest request is still the best we have: show it (the newest
  // follows). The worker delivers in request order, so nothing newer is ever overwritten.
  view_->set_after(image);
  emit frame_shown(serial, preview);
}

bool MainWindow::rendering_idle() const {
  return (!render_worker_ || render_worker_->idle()) && (!before_worker_ || before_worker_->idle());
}

// ---------------------------------------------------------------------------------------------
// Export

void MainWindow::export_png(const QString& path, bool full_photo, bool overwrite) {
  if (!engine_ || !document_->has_session()) return;
  if (export_task_) export_task_->wait();
  const engine::EditSession session = document_->session();
  ExportOptions options{full_photo, overwrite};
  export_task_ = std::make_unique<BackgroundTask>([engine = engine_, session, path, options] {
    ui::export_png(*engine, session, path.toStdString(), options);
  });
  connect(export_task_.get(), &BackgroundTask::finished_with, this,
          [this, path](const QString& error) {
            if (error.isEmpty())
              statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
            else
              show_error(this, tr("Export failed"), error);
            emit export_done(path, error);
          });
  statusBar()->showMessage(tr("Exporting %1…").arg(path));
  export_task_->start();
}

void MainWindow::choose_export(bool full_photo) {
  if (!document_->has_session()) return;
  const QString stem = QFileInfo(QString::fromStdString(document_->session().photo.string()))
                           .completeBaseName();
  const QString path = QFileDialog::getSaveFileName(
      this, full_photo ? tr("Export Whole Photo") : tr("Export Face"),
      stem + (full_photo ? "-edited.png" : "-face-edited.png"), tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  // The file dialog has asked before replacing an existing file, so consent is given.
  export_png(path, full_photo, /*overwrite=*/QFileInfo::exists(path));
}

// ---------------------------------------------------------------------------------------------
// Menus and dialogs

void MainWindow::choose_photo() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open Photo"), {},
      tr("Photos (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;Sessions (*.deltaedit);;"
         "All files (*)"));
  if (!path.isEmpty()) open_any(path);
}

void MainWindow::choose_session_to_open() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), {},
                                                    tr("DeltaEdit sessions (*.deltaedit)"));
  if (!path.isEmpty()) open_session(path);
}

void MainWindow::choose_session_to_save() {
  if (!document_->has_session()) return;
  QString path = QFileDialog::getSaveFileName(this, tr("Save Session"), document_->file(),
                                              tr("DeltaEdit sessions (*.deltaedit)"));
  if (path.isEmpty()) return;
  if (!is_session_file(path)) path += QStringLiteral(".") + kSessionSuffix;
  save_session(path);
}

void MainWindow::open_settings() {
  const QString folder = settings_.models_folder();
  const QString device = settings_.device();
  auto* dialog = new SettingsDialog(folder, device, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog, folder, device] {
    settings_.set_models_folder(dialog->models_folder());
    settings_.set_device(dialog->device());
    if (dialog->models_folder() != folder || dialog->device() != device) {
      options_.models_folder.clear();
      options_.device.clear();
      reload_models();
    }
  });
  dialog->open();
}

void MainWindow::rebuild_recent_menu() {
  recent_menu_->clear();
  const QStringList files = settings_.recent_files();
  for (const QString& f : files)
    recent_menu_->addAction(QFileInfo(f).fileName(), this, [this, f] {
      if (!QFileInfo::exists(f)) {
        settings_.remove_recent_file(f);
        show_error(this, tr("File not found"), tr("%1 no longer exists.").arg(f));
        return;
      }
      open_any(f);
    })->setToolTip(f);
  recent_menu_->setEnabled(!files.isEmpty());
}

bool MainWindow::confirm_discard_changes() {
  if (!options_.ask_before_closing || !document_->has_session() ||
      document_->undo_stack()->isClean())
    return true;
  const auto answer = QMessageBox::question(
      this, tr("Unsaved Edits"), tr("Save the current session before continuing?"),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) {
    if (document_->file().isEmpty()) choose_session_to_save();
    else save_session(document_->file());
    return document_->undo_stack()->isClean();
  }
  return true;
}

void MainWindow::set_page(Page page) {
  switch (page) {
    case Page::Welcome: {
      welcome_recent_->clear();
      for (const QString& f : settings_.recent_files()) {
        auto* item = new QListWidgetItem(QFileInfo(f).fileName(), welcome_recent_);
        item->setData(Qt::UserRole, f);
        item->setToolTip(f);
      }
      pages_->setCurrentWidget(welcome_page_);
      break;
    }
    case Page::Busy: pages_->setCurrentWidget(busy_page_); break;
    case Page::Editor: pages_->setCurrentWidget(editor_page_); break;
    case Page::MissingModels: pages_->setCurrentWidget(missing_page_); break;
  }
  // Without models the editing panels have nothing to offer: the page explains what to do.
  for (const char* dock : {"edit_dock", "history_dock"})
    if (auto* w = findChild<QDockWidget*>(dock)) w->setVisible(page != Page::MissingModels);
  update_actions();
}

MainWindow::Page MainWindow::page() const {
  QWidget* w = pages_->currentWidget();
  if (w == busy_page_) return Page::Busy;
  if (w == editor_page_) return Page::Editor;
  if (w == missing_page_) return Page::MissingModels;
  return Page::Welcome;
}

void MainWindow::update_actions() {
  const bool has = document_->has_session();
  const bool editing = has && page() == Page::Editor;
  const bool has_edits = has && !document_->session().edits.empty();
  save_action_->setEnabled(has);
  save_as_action_->setEnabled(has);
  export_face_action_->setEnabled(has && engine_);
  export_photo_action_->setEnabled(has && engine_);
  reset_action_->setEnabled(has_edits);
  remove_edit_action_->setEnabled(has_edits);
  prompts_->setEnabled(editing && engine_);
  strength_->setEnabled(editing && has_edits && engine_);
}

void MainWindow::update_title() {
  QString name = tr("Untitled");
  if (document_->has_session()) {
    name = !document_->file().isEmpty()
               ? QFileInfo(document_->file()).fileName()
               : QString::fromStdString(document_->session().photo.filename().string());
    setWindowModified(!document_->undo_stack()->isClean());
    setWindowTitle(tr("%1[*] — DeltaEdit Studio").arg(name));
  } else {
    setWindowModified(false);
    setWindowTitle(tr("DeltaEdit Studio"));
  }
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!confirm_discard_changes()) {
    event->ignore();
    return;
  }
  if (open_worker_) open_worker_->cancel();
  autosave_.finish();  // clean exit: nothing to recover next time
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const QMimeData* mime = event->mimeData();
  if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().front().isLocalFile())
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  event->acceptProposedAction();
  open_any(urls.front().toLocalFile());
}

}  // namespace deltaedit::ui
