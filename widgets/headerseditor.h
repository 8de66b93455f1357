#pragma once

#include "events/event.h"

#include <QWidget>

class QTableWidget;

namespace sockpit {

// Name/value rows for extra request headers, with add and remove buttons.
class HeadersEditor : public QWidget
{
    Q_OBJECT
public:
    explicit HeadersEditor(QWidget *parent = nullptr);

    // Rows with an empty name are left out; names and values are trimmed.
    HeaderList headers() const;
    void setHeaders(const HeaderList &headers);

public Q_SLOTS:
    void addRow();
    void removeSelectedRows();

private:
    QTableWidget *m_table;
};

} // namespace sockpit
