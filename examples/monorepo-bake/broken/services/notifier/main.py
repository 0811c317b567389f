print("notifier")
