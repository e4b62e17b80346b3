// Placeholder so the connector layer library exists before its first source lands; removed then.
